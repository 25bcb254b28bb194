/**
 * The critic client's transport glue: a `fetch` wrapper that enforces the per-request timeout with an
 * AbortSignal over the WHOLE exchange (headers and body, so a server that never answers or drips
 * slowly ends on time), names refused and torn connections, and reads a 200 body into critique
 * texts or a typed malformed-answer error. openai-node's errors map onto capo's critic error classes,
 * so no SDK type leaves lib/critic.
 * @module
 */
import { APIError, APIUserAbortError } from "openai";
import {
  CriticConnectionError,
  CriticError,
  CriticMalformedError,
  CriticRateLimitError,
  CriticServerError,
  CriticTimeoutError,
} from "./errors.ts";

/** One line of at most `max` characters (error texts can hold whole HTML pages). */
export function oneLine(text: string, max = 160): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}

const REFUSED = /connection refused|ECONNREFUSED|os error 111|os error 61\b/i;

/**
 * A `fetch` that gives up after `timeoutMs` (headers and body together), reads the whole body
 * before returning, and throws typed critic errors for timeouts, refused and torn connections.
 */
export function timedFetch(baseFetch: typeof fetch, timeoutMs: number): typeof fetch {
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const outer = init?.signal;
    const forward = () => controller.abort();
    if (outer?.aborted) controller.abort();
    outer?.addEventListener("abort", forward, { once: true });
    const work = (async () => {
      const response = await baseFetch(input, { ...init, signal: controller.signal });
      const body = new Uint8Array(await response.arrayBuffer());
      return new Response(body as Uint8Array<ArrayBuffer>, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    })();
    // Even a fetch that ignored its signal cannot outlive the deadline.
    const deadline = new Promise<never>((_, reject) =>
      controller.signal.addEventListener("abort", () => reject(controller.signal.reason), {
        once: true,
      })
    );
    work.catch(() => {});
    deadline.catch(() => {});
    try {
      return await Promise.race([work, deadline]);
    } catch (error) {
      if (timedOut) {
        throw new CriticTimeoutError(
          `Critic request to ${url} got no complete answer within ${timeoutMs} ms: raise critic.timeoutMs or check the server`,
          { cause: error },
        );
      }
      if (outer?.aborted) throw error;
      const text = describe(error);
      if (REFUSED.test(text)) {
        throw new CriticConnectionError(
          `Cannot connect to the critic at ${url}: connection refused; start the server or fix critic.baseUrl`,
          { cause: error, refused: true },
        );
      }
      throw new CriticConnectionError(
        `Critic connection to ${url} broke before a complete answer: ${oneLine(text)}`,
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener("abort", forward);
    }
  };
}

/**
 * Reads a 200 body into one critique text per choice, in `index` order.
 *
 * @param body The body text.
 * @param url The request URL, for messages.
 * @returns The texts (at least one) and the token usage the server reported (0 when none).
 * @throws {CriticMalformedError} For a non-JSON body, an error object, no or empty `choices`, or a
 *   choice without text.
 */
export function readChoices(
  body: string,
  url: string,
): { texts: string[]; promptTokens: number; completionTokens: number } {
  const bad = (what: string) =>
    new CriticMalformedError(`Cannot read the critic answer from ${url}: ${what}`, {
      status: 200,
    });
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw bad(`expected a JSON chat completion, got ${JSON.stringify(oneLine(body, 60))}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw bad(`expected a JSON object, got ${oneLine(JSON.stringify(value), 60)}`);
  }
  const record = value as {
    choices?: unknown;
    error?: unknown;
    usage?: { prompt_tokens?: unknown; completion_tokens?: unknown };
  };
  if (record.error !== undefined && record.error !== null) {
    const e = record.error as { message?: unknown };
    const message = typeof e?.message === "string" ? e.message : JSON.stringify(record.error);
    throw bad(`the endpoint answered 200 with an error: ${oneLine(message, 100)}`);
  }
  if (!Array.isArray(record.choices)) throw bad("expected a choices array, got none");
  if (record.choices.length === 0) throw bad("expected at least one choice, got []");
  const choices = [...record.choices] as {
    index?: number;
    message?: { content?: unknown; reasoning_content?: unknown } | null;
  }[];
  choices.sort((a, b) => (a?.index ?? 0) - (b?.index ?? 0));
  const texts = choices.map((choice, i) => {
    const message = choice?.message;
    if (typeof message !== "object" || message === null) {
      throw bad(`expected choice ${i} to have a message, got ${JSON.stringify(message)}`);
    }
    // Some reasoning servers leave `content` empty and put the text in `reasoning_content`.
    const text = [message.content, message.reasoning_content].find(
      (t): t is string => typeof t === "string" && t !== "",
    );
    if (text === undefined) {
      throw bad(
        `expected choice ${i} to have text content, got ${JSON.stringify(message.content)}`,
      );
    }
    return text;
  });
  const count = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);
  return {
    texts,
    promptTokens: count(record.usage?.prompt_tokens),
    completionTokens: count(record.usage?.completion_tokens),
  };
}

const HINTS: Record<number, string> = {
  401: "check the API key variable (critic.apiKeyEnv)",
  403: "check the API key variable (critic.apiKeyEnv)",
  404: "check critic.baseUrl and critic.model",
  413: "the prompt is too large: shorten the template or the responses",
};

/** Maps SDK and transport errors onto the critic error classes, naming `url`. */
export function toCriticError(error: unknown, url: string): CriticError {
  if (error instanceof CriticError) return error;
  // The SDK wraps what our fetch threw (timeouts, refused or torn connections) as its cause.
  if (error instanceof Error && error.cause instanceof CriticError) return error.cause;
  if (error instanceof APIUserAbortError) {
    return new CriticError(`Critic request to ${url} was abandoned: the batch stopped`, {
      cause: error,
    });
  }
  if (error instanceof APIError && error.status !== undefined) {
    const options = { cause: error, status: error.status, headers: error.headers };
    const hint = HINTS[error.status] ? `; ${HINTS[error.status]}` : "";
    const message = `Critic endpoint ${url} answered ${error.status}: ${
      oneLine(error.message, 120)
    }${hint}`;
    if (error.status === 429) return new CriticRateLimitError(message, options);
    if (error.status >= 500) return new CriticServerError(message, options);
    return new CriticError(message, options);
  }
  return new CriticError(`Critic request to ${url} failed: ${oneLine(describe(error))}`, {
    cause: error,
  });
}
