/**
 * The reference critic served as an OpenAI-compatible endpoint on 127.0.0.1 (`POST
 * /v1/chat/completions` with `n` and usage tokens, `GET /v1/models`), so the client talks to it
 * exactly as to vLLM or OpenAI. Optional added latency and seeded fault injection (timeouts, 429,
 * 500, truncated JSON, dropped connections, malformed critiques) exercise the client's reliability.
 * @module
 */
import { createRng } from "../../util/mod.ts";
import { checkSteps, type CriticNoise, referenceCritique } from "./critic.ts";
import { recoverPrompt } from "../template.ts";

/** The faults the server can inject. */
export type CriticFault = "timeout" | "429" | "500" | "truncated" | "drop" | "malformed";

/** Fault injection settings. */
export interface CriticFaults {
  /** Fraction of requests that get a fault. @default 0 */
  rate: number;
  /** Which faults, drawn uniformly. @default all six */
  kinds?: CriticFault[];
  /** Seed of the fault draws. @default 0 */
  seed?: number;
  /** How long a "timeout" fault hangs before answering, ms. @default 60000 */
  hangMs?: number;
  /** `retry-after-ms` sent with a 429, ms. @default 20 */
  retryAfterMs?: number;
}

/** Options for {@linkcode startReferenceCriticServer}. */
export interface ReferenceCriticServerOptions {
  /** Port on 127.0.0.1; 0 picks a free one (`critic:serve` uses 8917, the default `baseUrl`). @default 0 */
  port?: number;
  /** Critic noise. @default no noise */
  noise?: CriticNoise;
  /** Added latency per request, ms. @default 0 */
  latencyMs?: number;
  /** Fault injection. @default no faults */
  faults?: CriticFaults;
  /** Model id the server reports. @default "capo-reference-critic" */
  model?: string;
}

/** Request counters of a running server. */
export interface ReferenceCriticServerStats {
  /** Chat completion requests received. */
  requests: number;
  /** Choices (critiques) written. */
  choices: number;
  /** Most chat completion requests in progress at once. */
  maxInFlight: number;
  /** Faults injected, by kind. */
  faults: Record<CriticFault, number>;
}

/** A running reference critic server. */
export interface ReferenceCriticServer {
  /** `http://127.0.0.1:PORT/v1`. */
  baseUrl: string;
  /** The bound port. */
  port: number;
  /** Live counters. */
  stats: ReferenceCriticServerStats;
  /** Stops the server (hanging requests are released first). */
  close(): Promise<void>;
}

const ALL_FAULTS: CriticFault[] = ["timeout", "429", "500", "truncated", "drop", "malformed"];

/**
 * Starts the reference critic server.
 *
 * @param options See {@linkcode ReferenceCriticServerOptions}.
 * @returns The base URL, live stats and `close`.
 * @throws {RangeError} When a noise or fault rate is outside [0, 1].
 * @example
 * ```ts
 * const server = await startReferenceCriticServer({ port: 0, latencyMs: 200 });
 * const client = new CriticClient({ baseUrl: server.baseUrl });
 * await server.close();
 * ```
 */
export async function startReferenceCriticServer(
  options: ReferenceCriticServerOptions = {},
): Promise<ReferenceCriticServer> {
  const { port = 0, noise, latencyMs = 0, faults, model = "capo-reference-critic" } = options;
  for (const [name, rate] of Object.entries({ ...noise, faultRate: faults?.rate ?? 0 })) {
    if (name !== "seed" && !(Number(rate) >= 0 && Number(rate) <= 1)) {
      throw new RangeError(
        `Cannot start the reference critic: expected ${name} in [0, 1], got ${rate}`,
      );
    }
  }
  const faultRng = createRng(faults?.seed ?? 0).fork("faults");
  const kinds = faults?.kinds ?? ALL_FAULTS;
  const stats: ReferenceCriticServerStats = {
    requests: 0,
    choices: 0,
    maxInFlight: 0,
    faults: Object.fromEntries(ALL_FAULTS.map((k) => [k, 0])) as Record<CriticFault, number>,
  };
  const closing = new AbortController();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0 || closing.signal.aborted) return resolve();
      const timer = setTimeout(resolve, ms);
      closing.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });

  let inFlight = 0;
  const handler = async (request: Request): Promise<Response> => {
    inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
    try {
      return await route(request);
    } finally {
      inFlight--;
    }
  };
  const route = async (request: Request): Promise<Response> => {
    const path = new URL(request.url).pathname.replace(/\/+$/, "");
    if (request.method === "GET" && path === "/v1/models") {
      return json({
        object: "list",
        data: [{ id: model, object: "model", created: 0, owned_by: "capo" }],
      });
    }
    if (request.method !== "POST" || path !== "/v1/chat/completions") {
      return json({
        error: { message: `No route for ${request.method} ${path}`, type: "not_found" },
      }, 404);
    }
    stats.requests++;
    let body: ChatBody;
    try {
      body = await request.json();
    } catch {
      return json({
        error: { message: "Cannot parse request: expected JSON", type: "invalid_request_error" },
      }, 400);
    }
    const fault = faults && faultRng.next() < faults.rate
      ? kinds[faultRng.int(kinds.length)]
      : undefined;
    if (fault) stats.faults[fault]++;
    await sleep(latencyMs);
    if (fault === "timeout") await sleep(faults?.hangMs ?? 60_000);
    if (fault === "429") {
      return json({ error: { message: "Rate limited", type: "rate_limit" } }, 429, {
        "retry-after-ms": String(faults?.retryAfterMs ?? 20),
      });
    }
    if (fault === "500") {
      return json({ error: { message: "Injected failure", type: "server_error" } }, 500);
    }
    const completion = await complete(body, model, noise, fault === "malformed");
    stats.choices += completion.choices.length;
    const text = JSON.stringify(completion);
    if (fault === "truncated") {
      return new Response(text.slice(0, Math.floor(text.length / 2)), {
        headers: { "content-type": "application/json" },
      });
    }
    if (fault === "drop") {
      const half = new TextEncoder().encode(text.slice(0, Math.floor(text.length / 2)));
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(half);
          controller.error(new Error("injected dropped connection"));
        },
      });
      return new Response(stream, { headers: { "content-type": "application/json" } });
    }
    return new Response(text, { headers: { "content-type": "application/json" } });
  };

  return await new Promise((resolve) => {
    const server = Deno.serve({
      hostname: "127.0.0.1",
      port,
      onListen: ({ port: bound }) => {
        resolve({
          baseUrl: `http://127.0.0.1:${bound}/v1`,
          port: bound,
          stats,
          close: async () => {
            closing.abort();
            await server.shutdown();
          },
        });
      },
      onError: () => json({ error: { message: "Internal error", type: "server_error" } }, 500),
    }, handler);
  });
}

interface ChatBody {
  messages?: { role?: string; content?: unknown }[];
  n?: number;
  seed?: number;
}

async function complete(
  body: ChatBody,
  model: string,
  noise: CriticNoise | undefined,
  malformed: boolean,
) {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const user =
    messages.filter((m) => m?.role === "user").map((m) => contentText(m.content)).at(-1) ?? "";
  const { problem, steps } = recoverPrompt(user);
  const n = Number.isInteger(body.n) && body.n! > 0 ? Math.min(body.n!, 128) : 1;
  const seedOffset = Number.isInteger(body.seed) ? body.seed! : 0;
  const checks = malformed ? [] : checkSteps(problem, steps);
  const choices = [];
  let completionChars = 0;
  for (let c = 0; c < n; c++) {
    const content = malformed
      ? "I looked at the steps but I am not sure which of them are wrong"
      : (await referenceCritique(problem, steps, { noise, critiqueIndex: seedOffset + c, checks }))
        .text;
    completionChars += content.length;
    choices.push({
      index: c,
      message: { role: "assistant", content },
      finish_reason: "stop",
      logprobs: null,
    });
  }
  const promptChars = messages.reduce((sum, m) => sum + contentText(m?.content).length, 0);
  return {
    id: `chatcmpl-ref-${crypto.randomUUID()}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices,
    // About four characters per token, as tokenizers average on English text.
    usage: {
      prompt_tokens: Math.ceil(promptChars / 4),
      completion_tokens: Math.ceil(completionChars / 4),
      total_tokens: Math.ceil(promptChars / 4) + Math.ceil(completionChars / 4),
    },
  };
}

function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content.map((part) => (typeof part?.text === "string" ? part.text : "")).join("");
  }
  return "";
}

function json(value: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}
