/**
 * The GenPRM critic client (CAPO §3): renders the prompt for each response, asks an OpenAI-compatible
 * endpoint for k critiques (`n` or repeated calls), parses and votes them. Concurrency and
 * requests-per-minute limits, per-request timeouts, bounded attempts with backoff and seeded jitter,
 * a request budget per batch and a content-addressed cache make it practical against vLLM / SGLang /
 * Ollama / OpenAI at scale. The SDK's own retries are off so that every attempt is counted here, by
 * failure kind; a failed critique is dropped from the vote and never cached.
 * @module
 */
import OpenAI from "openai";
import { createRng, hashJson, type Rng } from "../util/mod.ts";
import { splitSteps } from "../steps/mod.ts";
import { CritiqueCache } from "./cache.ts";
import {
  type CriticBatchMetrics,
  type CriticConfig,
  type Critique,
  type CritiqueOutcome,
  type CritiqueRequest,
  DEFAULT_CRITIC_CONFIG,
  emptyCriticMetrics,
} from "./config.ts";
import {
  CriticBudgetError,
  CriticConnectionError,
  type CriticError,
  failureKind,
  isRetryable,
  retryDelayMs,
} from "./errors.ts";
import { readChoices, timedFetch, toCriticError } from "./_transport.ts";
import { type Batch, contiguousRuns, type Plan, sleep, whyFailed } from "./_batch.ts";
import { createLimiter, type Limiter } from "./_limiter.ts";
import { type CriticTemplate, loadTemplate, renderPrompt } from "./template.ts";
import { parseCritique } from "./parse.ts";
import { vote } from "./vote.ts";

/** Options for {@linkcode CriticClient}. */
export interface CriticClientOptions {
  /** Seed for the retry jitter. @default 0 */
  seed?: number;
  /** The `fetch` to send requests with (tests inject one). @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Reads an environment variable (for the API key). @default Deno.env.get */
  getEnv?: (name: string) => string | undefined;
  /** Receives one line per retry and per failed request (never the key). @default undefined */
  log?: (line: string) => void;
}

const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "0.0.0.0"]);

/**
 * Critiques responses with k samples from an OpenAI-compatible endpoint and votes them per step.
 *
 * @example
 * ```ts
 * const server = await startReferenceCriticServer({ port: 0 });
 * const client = new CriticClient({ baseUrl: server.baseUrl, k: 4 });
 * const { outcomes, metrics } = await client.critiqueBatch([
 *   { problem: "7+5*3", response: "7+5=12\n\n12*3=37\n\n\\boxed{37}" },
 * ]);
 * console.log(outcomes[0].wrongness, metrics.requests); // [0, 1, 1] 1
 * await server.close();
 * ```
 */
export class CriticClient {
  /** The resolved config (no key: only the name of its environment variable). */
  readonly config: Readonly<CriticConfig>;
  #openai: OpenAI;
  #limiter: Limiter;
  #rng: Rng;
  #cache?: CritiqueCache;
  #template?: Promise<CriticTemplate>;
  #log?: (line: string) => void;
  #secret?: string;
  #url: string;

  /**
   * Creates a client (no request is sent until `critiqueBatch`).
   *
   * @param config Config fields; missing ones come from {@linkcode DEFAULT_CRITIC_CONFIG}.
   * @param options See {@linkcode CriticClientOptions}.
   * @throws {RangeError} For a bad k, concurrency, timeout, attempt count or request budget.
   * @throws {TypeError} When `apiKeyEnv` names an unset variable and the endpoint is not local.
   * @example
   * ```ts
   * const client = new CriticClient({ baseUrl: "http://127.0.0.1:8000/v1", model: "Qwen/Qwen2.5-7B-Instruct",
   *   apiKeyEnv: "VLLM_API_KEY", k: 8, voteRule: "intersection", cacheDir: "runs/critic_cache" });
   * ```
   */
  constructor(config: Partial<CriticConfig> = {}, options: CriticClientOptions = {}) {
    const { seed = 0, fetch: baseFetch = globalThis.fetch, log } = options;
    const getEnv = options.getEnv ?? ((name: string) => Deno.env.get(name));
    const c = { ...DEFAULT_CRITIC_CONFIG, ...config };
    for (const [field, min] of [["k", 1], ["concurrency", 1], ["maxAttempts", 1]] as const) {
      if (!Number.isInteger(c[field]) || c[field] < min) {
        throw new RangeError(
          `Cannot create critic client: expected ${field} to be an integer >= ${min}, got ${
            c[field]
          }`,
        );
      }
    }
    if (!(c.timeoutMs > 0)) {
      throw new RangeError(
        `Cannot create critic client: expected timeoutMs > 0, got ${c.timeoutMs}`,
      );
    }
    if (
      c.requestBudget !== undefined && !(Number.isInteger(c.requestBudget) && c.requestBudget >= 0)
    ) {
      throw new RangeError(
        `Cannot create critic client: expected requestBudget to be an integer >= 0, got ${c.requestBudget}`,
      );
    }
    this.config = Object.freeze(c);
    this.#url = `${c.baseUrl.replace(/\/+$/, "")}/chat/completions`;
    this.#secret = c.apiKeyEnv ? getEnv(c.apiKeyEnv) || undefined : undefined;
    if (c.apiKeyEnv && !this.#secret && !LOCAL_HOSTS.has(new URL(c.baseUrl).hostname)) {
      throw new TypeError(
        `Cannot create critic client: expected environment variable ${c.apiKeyEnv} to hold the API key for ${c.baseUrl}, got nothing`,
      );
    }
    this.#openai = new OpenAI({
      baseURL: c.baseUrl,
      apiKey: this.#secret ?? "capo-no-key",
      maxRetries: 0,
      timeout: c.timeoutMs + 1000,
      fetch: timedFetch(baseFetch, c.timeoutMs),
    });
    this.#limiter = createLimiter(c.concurrency, c.requestsPerMinute);
    this.#rng = createRng(seed).fork("critic-retry-jitter");
    this.#cache = c.cacheDir ? new CritiqueCache(c.cacheDir) : undefined;
    this.#log = log;
  }

  /**
   * The prompt template in use (loaded once).
   *
   * @returns The template, with its version and sha256 for lineage.
   * @example
   * ```ts
   * const { version, sha256 } = await client.template();
   * ```
   */
  template(): Promise<CriticTemplate> {
    this.#template ??= loadTemplate(this.config.template ?? "genprm_v1");
    return this.#template;
  }

  /**
   * Critiques a batch of responses: k critiques each (cache first), parsed and voted. Every request
   * has at most `maxAttempts` tries of at most `timeoutMs` each, and the call sends at most
   * `requestBudget` requests; failed attempts are counted by kind in `metrics.failures`.
   *
   * @param requests The responses with their problems.
   * @returns One outcome per request, in order, and the batch's metrics.
   * @throws {CriticConnectionError} When the endpoint refuses the connection (nothing listens at
   *   `baseUrl`): the call stops at once rather than retrying every critique.
   * @example
   * ```ts
   * const { outcomes, metrics } = await client.critiqueBatch([{ problem: "2+2", response: "2+2=4" }]);
   * ```
   */
  async critiqueBatch(
    requests: readonly CritiqueRequest[],
  ): Promise<{ outcomes: CritiqueOutcome[]; metrics: CriticBatchMetrics }> {
    const started = performance.now();
    const metrics = emptyCriticMetrics();
    metrics.responses = requests.length;
    const batch: Batch = { metrics, abort: new AbortController() };
    const template = await this.template();
    const plans = requests.map((request) => this.#plan(template, request));
    await Promise.all(plans.map((plan) => this.#lookUp(plan, metrics)));
    const toFetch = plans.reduce(
      (sum, p) => sum + p.texts.filter((t) => t === undefined).length,
      0,
    );
    metrics.requestBudget = this.config.requestBudget ?? toFetch * this.config.maxAttempts;
    await Promise.all(plans.map(async (plan) => {
      const missing = plan.texts.flatMap((t, i) => (t === undefined ? [i] : []));
      const groups = this.config.useN ? contiguousRuns(missing) : missing.map((i) => [i]);
      await Promise.all(groups.map((group) => this.#fetchGroup(plan, group, batch)));
    }));
    metrics.wallMs = performance.now() - started;
    if (batch.stopped) throw batch.stopped;
    const outcomes = plans.map((plan) => this.#outcome(plan, metrics));
    return { outcomes, metrics };
  }

  #plan(template: CriticTemplate, request: CritiqueRequest): Plan {
    const { separator, includeReference, model, temperature, maxTokens, seed, k } = this.config;
    const steps = splitSteps(request.response, { separator });
    const reference = includeReference ? request.reference : undefined;
    const messages = renderPrompt(template, { problem: request.problem, steps, reference });
    // A response without steps has nothing to critique: no keys, no requests.
    const keys = Array.from({ length: steps.length ? k : 0 }, (_, critiqueIndex) => ({
      model,
      templateSha256: template.sha256,
      problem: request.problem,
      response: request.response,
      reference: reference ?? null,
      separator,
      sampling: { temperature, maxTokens, seed },
      critiqueIndex,
    }));
    const empty = () => new Array(keys.length).fill(undefined);
    return {
      steps,
      messages,
      keys,
      texts: empty(),
      cached: new Array(keys.length).fill(false),
      failures: empty(),
    };
  }

  async #lookUp(plan: Plan, metrics: CriticBatchMetrics): Promise<void> {
    metrics.critiques += plan.keys.length;
    const cache = this.#cache;
    if (!cache) return;
    plan.keyHashes = await Promise.all(plan.keys.map((key) => hashJson(key)));
    const found = await Promise.all(plan.keys.map((key, i) => cache.get(key, plan.keyHashes![i])));
    found.forEach((entry, i) => {
      if (entry.status === "hit") {
        plan.texts[i] = entry.text;
        plan.cached[i] = true;
        metrics.cacheHits++;
      } else if (entry.status === "corrupt") {
        metrics.cacheCorrupt++;
        this.#log?.(`critic cache entry corrupt (${entry.reason}); refetching`);
      }
    });
  }

  async #fetchGroup(plan: Plan, indices: number[], batch: Batch): Promise<void> {
    const seed = this.config.seed === null ? undefined : this.config.seed + indices[0];
    const result = await this.#attempts(plan.messages, indices.length, seed, batch);
    if (result instanceof Error) {
      const reason = this.#redact(result.message);
      for (const i of indices) plan.failures[i] = { kind: failureKind(result), reason };
      batch.metrics.failedCritiques += indices.length;
      return;
    }
    const got = Math.min(result.length, indices.length);
    const writes: Promise<void>[] = [];
    for (let j = 0; j < got; j++) {
      plan.texts[indices[j]] = result[j];
      // A critique without a readable verdict is a failure: it is voted out and never cached.
      const readable = parseCritique(result[j], plan.steps.length).wrongSteps !== null;
      if (this.#cache && readable) {
        // A failed cache write costs a refetch next time, never the batch.
        writes.push(
          this.#cache.put(plan.keys[indices[j]], result[j], plan.keyHashes?.[indices[j]]).catch(
            (error) => this.#log?.(`critic cache write failed: ${error?.message ?? error}`),
          ),
        );
      }
    }
    await Promise.all(writes);
    if (got === indices.length) return;
    // A server that ignores `n` returns fewer choices: ask for the rest one at a time. Single
    // requests cannot come back short (no choice is a malformed answer), so this recurses once.
    batch.metrics.partialAnswers++;
    await Promise.all(indices.slice(got).map((i) => this.#fetchGroup(plan, [i], batch)));
  }

  /** At most `maxAttempts` tries of one request, within the batch's budget: texts, or the error. */
  async #attempts(
    messages: { system: string; user: string },
    n: number,
    seed: number | undefined,
    batch: Batch,
  ): Promise<string[] | CriticError> {
    const { model, temperature, maxTokens, maxTokensField, maxAttempts, timeoutMs } = this.config;
    const body = {
      model,
      messages: [
        { role: "system", content: messages.system },
        { role: "user", content: messages.user },
      ],
      temperature,
      n,
      [maxTokensField]: maxTokens,
      ...(seed === undefined ? {} : { seed }),
    } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming;
    const { metrics } = batch;
    const url = this.#url;
    for (let attempt = 1;; attempt++) {
      if (batch.stopped) return batch.stopped;
      if (metrics.requests >= metrics.requestBudget) {
        metrics.failures.budget++;
        return new CriticBudgetError(
          `Critic request to ${url} not sent: the batch's budget of ${metrics.requestBudget} requests is spent`,
        );
      }
      metrics.requests++;
      try {
        const response = await this.#limiter.run(() =>
          this.#openai.chat.completions.create(body, {
            // Our fetch enforces `timeoutMs`; the SDK's own limit is only a backstop.
            timeout: timeoutMs + 1000,
            maxRetries: 0,
            signal: batch.abort.signal,
          }).asResponse()
        );
        const answer = readChoices(await response.text(), url);
        metrics.promptTokens += answer.promptTokens;
        metrics.completionTokens += answer.completionTokens;
        return answer.texts;
      } catch (raw) {
        const error = batch.stopped ?? toCriticError(raw, url);
        if (batch.stopped) return batch.stopped;
        metrics.failures[failureKind(error)]++;
        if (error instanceof CriticConnectionError && error.refused) {
          // Nothing listens there: every other request would fail the same way.
          batch.stopped = error;
          batch.abort.abort();
          return error;
        }
        const line = this.#redact(error.message);
        if (!isRetryable(error) || attempt >= maxAttempts) {
          this.#log?.(`critic request failed (attempt ${attempt}/${maxAttempts}): ${line}`);
          return error;
        }
        metrics.retries++;
        const delay = retryDelayMs(attempt - 1, error.headers, {
          baseMs: this.config.retryBaseDelayMs,
          maxMs: this.config.retryMaxDelayMs,
          rng: this.#rng,
        });
        this.#log?.(
          `critic retry ${attempt}/${maxAttempts - 1} in ${Math.round(delay)} ms: ${line}`,
        );
        await sleep(delay, batch.abort.signal);
      }
    }
  }

  #outcome(plan: Plan, metrics: CriticBatchMetrics): CritiqueOutcome {
    const { steps } = plan;
    if (steps.length === 0) {
      metrics.fallbacks++;
      return {
        steps,
        critiques: [],
        validCount: 0,
        wrongness: [],
        hasSignal: false,
        reason: "the response has no steps",
      };
    }
    const critiques: Critique[] = plan.texts.map((text, i) => {
      const failure = plan.failures[i];
      if (text === undefined) {
        return {
          text: "",
          wrongSteps: null,
          reason: `request failed (${failure?.kind ?? "other"}): ${failure?.reason ?? "no answer"}`,
          cached: false,
        };
      }
      const parsed = parseCritique(text, steps.length);
      if (parsed.wrongSteps === null) metrics.failures.parse++;
      return { text, wrongSteps: parsed.wrongSteps, reason: parsed.reason, cached: plan.cached[i] };
    });
    const valid = critiques.flatMap((c) => (c.wrongSteps === null ? [] : [c.wrongSteps]));
    const { voteRule, voteM, voteTie } = this.config;
    const wrongness = vote(valid, steps.length, voteRule, { m: voteM, tie: voteTie });
    const outcome: CritiqueOutcome = {
      steps,
      critiques,
      validCount: valid.length,
      wrongness,
      hasSignal: valid.length > 0,
    };
    if (valid.length === 0) {
      metrics.fallbacks++;
      outcome.reason = `all ${critiques.length} critiques failed: ${whyFailed(plan)}`;
    }
    return outcome;
  }

  #redact(text: string): string {
    return this.#secret ? text.replaceAll(this.#secret, "***") : text;
  }
}
