/**
 * The GenPRM critic client (CAPO §3): renders the prompt for each response, asks an OpenAI-compatible
 * endpoint for k critiques (`n` or repeated calls), parses and votes them. Concurrency and
 * requests-per-minute limits, per-request timeouts, bounded retries with backoff and seeded jitter,
 * and a content-addressed cache make it practical against vLLM / SGLang / Ollama / OpenAI at scale.
 * The SDK's own retries are off so that every retry is counted here.
 * @module
 */
import OpenAI from "openai";
import { createRng, hashJson, type Rng } from "../util/mod.ts";
import { splitSteps, type Step } from "../steps/mod.ts";
import { CritiqueCache, type CritiqueCacheKey } from "./cache.ts";
import {
  type CriticBatchMetrics,
  type CriticConfig,
  type Critique,
  type CritiqueOutcome,
  type CritiqueRequest,
  DEFAULT_CRITIC_CONFIG,
  emptyCriticMetrics,
} from "./config.ts";
import { CriticServerError, isRetryable, retryDelayMs } from "./errors.ts";
import { guardedFetch, toCriticError } from "./_transport.ts";
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

interface Plan {
  steps: Step[];
  messages: { system: string; user: string };
  keys: CritiqueCacheKey[];
  keyHashes?: string[];
  texts: (string | undefined)[];
  cached: boolean[];
  failures: (string | undefined)[];
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

  /**
   * Creates a client (no request is sent until `critiqueBatch`).
   *
   * @param config Config fields; missing ones come from {@linkcode DEFAULT_CRITIC_CONFIG}.
   * @param options See {@linkcode CriticClientOptions}.
   * @throws {RangeError} For a bad k, concurrency, timeout or retry count.
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
    for (const [field, min] of [["k", 1], ["concurrency", 1], ["maxRetries", 0]] as const) {
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
    this.config = Object.freeze(c);
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
      timeout: c.timeoutMs,
      fetch: guardedFetch(baseFetch),
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
   * Critiques a batch of responses: k critiques each (cache first), parsed and voted.
   *
   * @param requests The responses with their problems.
   * @returns One outcome per request, in order, and the batch's metrics.
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
    const template = await this.template();
    const plans = requests.map((request) => this.#plan(template, request));
    // Per response: look the cache up, then fetch what is missing, so requests start at once.
    await Promise.all(plans.map(async (plan) => {
      if (plan.steps.length === 0) return;
      metrics.critiques += plan.keys.length;
      await this.#lookUp(plan, metrics);
      const missing = plan.texts.flatMap((t, i) => (t === undefined ? [i] : []));
      const groups = this.config.useN ? contiguousRuns(missing) : missing.map((i) => [i]);
      await Promise.all(groups.map((group) => this.#fetchGroup(plan, group, metrics)));
    }));
    const outcomes = plans.map((plan) => this.#outcome(plan, metrics));
    metrics.wallMs = performance.now() - started;
    return { outcomes, metrics };
  }

  #plan(template: CriticTemplate, request: CritiqueRequest): Plan {
    const { separator, includeReference, model, temperature, maxTokens, seed, k } = this.config;
    const steps = splitSteps(request.response, { separator });
    const reference = includeReference ? request.reference : undefined;
    const messages = renderPrompt(template, { problem: request.problem, steps, reference });
    const keys = Array.from({ length: k }, (_, critiqueIndex) => ({
      model,
      templateSha256: template.sha256,
      problem: request.problem,
      response: request.response,
      reference: reference ?? null,
      separator,
      sampling: { temperature, maxTokens, seed },
      critiqueIndex,
    }));
    const empty = () => new Array(k).fill(undefined);
    return {
      steps,
      messages,
      keys,
      texts: empty(),
      cached: new Array(k).fill(false),
      failures: empty(),
    };
  }

  async #lookUp(plan: Plan, metrics: CriticBatchMetrics): Promise<void> {
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

  async #fetchGroup(plan: Plan, indices: number[], metrics: CriticBatchMetrics): Promise<void> {
    const seed = this.config.seed === null ? undefined : this.config.seed + indices[0];
    let texts: string[];
    try {
      texts = await this.#request(plan.messages, indices.length, seed, metrics);
    } catch (error) {
      const reason = this.#redact(error instanceof Error ? error.message : String(error));
      for (const i of indices) plan.failures[i] = reason;
      metrics.failures += indices.length;
      this.#log?.(`critic request failed after retries: ${reason}`);
      return;
    }
    const got = Math.min(texts.length, indices.length);
    const writes: Promise<void>[] = [];
    for (let j = 0; j < got; j++) {
      plan.texts[indices[j]] = texts[j];
      if (this.#cache) {
        // A failed cache write costs a refetch next time, never the batch.
        writes.push(
          this.#cache.put(plan.keys[indices[j]], texts[j], plan.keyHashes?.[indices[j]]).catch(
            (error) => this.#log?.(`critic cache write failed: ${error?.message ?? error}`),
          ),
        );
      }
    }
    await Promise.all(writes);
    // A server that ignores `n` returns fewer choices: ask for the rest one at a time.
    const rest = indices.slice(got).map((i) => this.#fetchGroup(plan, [i], metrics));
    await Promise.all(rest);
  }

  async #request(
    messages: { system: string; user: string },
    n: number,
    seed: number | undefined,
    metrics: CriticBatchMetrics,
  ): Promise<string[]> {
    const { model, temperature, maxTokens, maxTokensField, maxRetries, timeoutMs } = this.config;
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
    for (let attempt = 0;; attempt++) {
      metrics.requests++;
      try {
        const completion = await this.#limiter.run(() =>
          this.#openai.chat.completions.create(body, { timeout: timeoutMs, maxRetries: 0 })
        );
        if (!Array.isArray(completion?.choices)) {
          throw new CriticServerError(
            `Cannot read critic response: expected a choices array, got ${typeof completion
              ?.choices}`,
          );
        }
        metrics.promptTokens += completion.usage?.prompt_tokens ?? 0;
        metrics.completionTokens += completion.usage?.completion_tokens ?? 0;
        return [...completion.choices]
          .sort((a, b) => a.index - b.index)
          // Some reasoning servers leave `content` empty and put the text in `reasoning_content`.
          .map((choice) =>
            choice.message?.content ||
            (choice.message as { reasoning_content?: string } | undefined)?.reasoning_content ||
            ""
          );
      } catch (raw) {
        const error = toCriticError(raw);
        if (!isRetryable(error) || attempt >= maxRetries) throw error;
        metrics.retries++;
        const delay = retryDelayMs(attempt, error.headers, {
          baseMs: this.config.retryBaseDelayMs,
          maxMs: this.config.retryMaxDelayMs,
          rng: this.#rng,
        });
        this.#log?.(
          `critic retry ${attempt + 1}/${maxRetries} in ${Math.round(delay)} ms: ${
            this.#redact(error.message)
          }`,
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  #outcome(plan: Plan, metrics: CriticBatchMetrics): CritiqueOutcome {
    const { steps } = plan;
    if (steps.length === 0) {
      metrics.fallbacks++;
      return { steps, critiques: [], validCount: 0, wrongness: [], hasSignal: false };
    }
    const critiques: Critique[] = plan.texts.map((text, i) => {
      if (text === undefined) {
        return {
          text: "",
          wrongSteps: null,
          reason: `request failed: ${plan.failures[i]}`,
          cached: false,
        };
      }
      const parsed = parseCritique(text, steps.length);
      if (parsed.wrongSteps === null) metrics.parseFailures++;
      return { text, wrongSteps: parsed.wrongSteps, reason: parsed.reason, cached: plan.cached[i] };
    });
    const valid = critiques.flatMap((c) => (c.wrongSteps === null ? [] : [c.wrongSteps]));
    if (valid.length === 0) metrics.fallbacks++;
    const { voteRule, voteM, voteTie } = this.config;
    const wrongness = vote(valid, steps.length, voteRule, { m: voteM, tie: voteTie });
    return { steps, critiques, validCount: valid.length, wrongness, hasSignal: valid.length > 0 };
  }

  #redact(text: string): string {
    return this.#secret ? text.replaceAll(this.#secret, "***") : text;
  }
}

function contiguousRuns(indices: number[]): number[][] {
  const runs: number[][] = [];
  for (const i of indices) {
    const last = runs.at(-1);
    if (last && last.at(-1) === i - 1) last.push(i);
    else runs.push([i]);
  }
  return runs;
}
