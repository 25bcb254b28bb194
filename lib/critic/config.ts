/**
 * The critic's typed config, its frozen default (the embedded reference critic on 127.0.0.1), and
 * the request / outcome / metrics types shared by the client, evaluation and ablations.
 * @module
 */
import type { Step } from "../steps/mod.ts";
import { CRITIC_FAILURE_KINDS, type CriticFailureKind } from "./errors.ts";
import type { VoteRule } from "./vote.ts";

/** Critic configuration; the resolved value is what lineage records (it never holds a key). */
export interface CriticConfig {
  /** OpenAI-compatible base URL, ending in `/v1`. @default "http://127.0.0.1:8917/v1" */
  baseUrl: string;
  /** Model name sent with each request. @default "capo-reference-critic" */
  model: string;
  /**
   * Name of the environment variable holding the API key (the key itself is never stored). When
   * unset or empty and the endpoint is local, a dummy key is used. @default undefined
   */
  apiKeyEnv?: string;
  /** Critiques per response. @default 4 */
  k: number;
  /** How the k critiques are merged. @default "majority" */
  voteRule: VoteRule;
  /** `m` for the `at-least-m` rule. @default 2 */
  voteM: number;
  /** Majority tie rule: exactly half the critiques flag a step. @default "correct" */
  voteTie: "wrong" | "correct";
  /** Sampling temperature. @default 0.7 */
  temperature: number;
  /** Completion token limit per critique. @default 1024 */
  maxTokens: number;
  /** Request field for the token limit (OpenAI's newest models want `max_completion_tokens`). @default "max_tokens" */
  maxTokensField: "max_tokens" | "max_completion_tokens";
  /** Ask for k choices with `n` in one request (true) or make k requests (false). @default true */
  useN: boolean;
  /** Requests in flight at most. @default 16 */
  concurrency: number;
  /** Request starts per minute at most; unset = unlimited. @default undefined */
  requestsPerMinute?: number;
  /** Per-request timeout over headers and body together, ms. @default 60000 */
  timeoutMs: number;
  /** Attempts per critique request, the first included. @default 3 */
  maxAttempts: number;
  /**
   * Requests one `critiqueBatch` call may send at most; unset = critiques to fetch × `maxAttempts`.
   * @default undefined
   */
  requestBudget?: number;
  /** First backoff delay, ms (doubling up to `retryMaxDelayMs`, with jitter). @default 500 */
  retryBaseDelayMs: number;
  /** Largest backoff delay, ms. @default 8000 */
  retryMaxDelayMs: number;
  /** Critique cache folder; unset = no cache. @default undefined */
  cacheDir?: string;
  /** Built-in template name or template file path. @default "genprm_v1" */
  template?: string;
  /** Show the reference answer to the critic. @default false */
  includeReference: boolean;
  /** Step separator. @default "\n\n" */
  separator: string;
  /**
   * Sampling seed sent with requests (critique i of a response uses `seed + i`); `null` sends none,
   * for servers that reject the field. Part of the cache key. @default 0
   */
  seed: number | null;
}

/**
 * The default config: the reference critic on its default port, k = 4, majority vote.
 *
 * @example
 * ```ts
 * const config = { ...DEFAULT_CRITIC_CONFIG, baseUrl: "http://127.0.0.1:11434/v1", model: "qwen2.5:7b" };
 * ```
 */
export const DEFAULT_CRITIC_CONFIG: Readonly<CriticConfig> = Object.freeze(
  {
    baseUrl: "http://127.0.0.1:8917/v1",
    model: "capo-reference-critic",
    apiKeyEnv: undefined,
    k: 4,
    voteRule: "majority",
    voteM: 2,
    voteTie: "correct",
    temperature: 0.7,
    maxTokens: 1024,
    maxTokensField: "max_tokens",
    useN: true,
    concurrency: 16,
    requestsPerMinute: undefined,
    timeoutMs: 60_000,
    maxAttempts: 3,
    requestBudget: undefined,
    retryBaseDelayMs: 500,
    retryMaxDelayMs: 8000,
    cacheDir: undefined,
    template: "genprm_v1",
    includeReference: false,
    separator: "\n\n",
    seed: 0,
  } satisfies CriticConfig,
);

/** One response to critique. */
export interface CritiqueRequest {
  /** The problem statement. */
  problem: string;
  /** The policy's response (split into steps by the client). */
  response: string;
  /** Reference answer, shown when `includeReference` is on. */
  reference?: string;
}

/** One critique of a response. */
export interface Critique {
  /** The critique text (`""` when the request failed). */
  text: string;
  /** Parsed wrong steps (sorted, 0-based), or `null` when unparseable or failed. */
  wrongSteps: number[] | null;
  /** Why it parsed as it did, or why it failed. */
  reason: string;
  /** Served from the cache. */
  cached: boolean;
}

/** The critic's verdict on one response. */
export interface CritiqueOutcome {
  /** The response's steps. */
  steps: Step[];
  /** All k critiques, valid or not. */
  critiques: Critique[];
  /** How many critiques parsed. */
  validCount: number;
  /** Voted per-step wrongness in [0, 1]; all zeros when `!hasSignal`. */
  wrongness: number[];
  /** At least one critique parsed: the response has a process signal. */
  hasSignal: boolean;
  /** Why there is no signal (no steps, or every critique failed, by kind); absent with a signal. */
  reason?: string;
}

/** Failed attempts by kind. */
export type CriticFailureCounts = Record<CriticFailureKind, number>;

/** Counters for one `critiqueBatch` call. */
export interface CriticBatchMetrics {
  /** Responses in the batch. */
  responses: number;
  /** Critiques asked for (responses × k, minus responses without steps). */
  critiques: number;
  /** HTTP requests sent, retries included (never more than `requestBudget`). */
  requests: number;
  /** The request budget of the call. */
  requestBudget: number;
  /** Critiques served from the cache. */
  cacheHits: number;
  /** Cache entries found corrupt and refetched. */
  cacheCorrupt: number;
  /** Retries made. */
  retries: number;
  /** Failed attempts by kind; `parse` counts critiques received without a readable verdict. */
  failures: CriticFailureCounts;
  /** Critiques with no text after every attempt (dropped from the vote). */
  failedCritiques: number;
  /** Answers with fewer choices than asked (a server ignoring `n`); the rest are fetched singly. */
  partialAnswers: number;
  /** Responses with no valid critique (outcome reward only). */
  fallbacks: number;
  /** Prompt tokens reported by the server. */
  promptTokens: number;
  /** Completion tokens reported by the server. */
  completionTokens: number;
  /** Wall time of the batch, ms. */
  wallMs: number;
}

/**
 * A zeroed metrics object.
 *
 * @returns Metrics with every counter at 0.
 * @example
 * ```ts
 * const total = emptyCriticMetrics();
 * ```
 */
export function emptyCriticMetrics(): CriticBatchMetrics {
  return {
    responses: 0,
    critiques: 0,
    requests: 0,
    requestBudget: 0,
    cacheHits: 0,
    cacheCorrupt: 0,
    retries: 0,
    failures: emptyFailureCounts(),
    failedCritiques: 0,
    partialAnswers: 0,
    fallbacks: 0,
    promptTokens: 0,
    completionTokens: 0,
    wallMs: 0,
  };
}

/**
 * Zeroed failure counters.
 *
 * @returns One counter per failure kind, all 0.
 * @example
 * ```ts
 * emptyFailureCounts().timeout; // 0
 * ```
 */
export function emptyFailureCounts(): CriticFailureCounts {
  return Object.fromEntries(CRITIC_FAILURE_KINDS.map((k) => [k, 0])) as CriticFailureCounts;
}

/**
 * Adds one batch's metrics into a running total (counters add; `wallMs` adds too).
 *
 * @param total The running total (changed in place).
 * @param batch One batch's metrics.
 * @returns `total`.
 * @example
 * ```ts
 * const total = emptyCriticMetrics();
 * addCriticMetrics(total, (await client.critiqueBatch(requests)).metrics);
 * ```
 */
export function addCriticMetrics(
  total: CriticBatchMetrics,
  batch: Readonly<CriticBatchMetrics>,
): CriticBatchMetrics {
  for (const key of Object.keys(total) as (keyof CriticBatchMetrics)[]) {
    if (key === "failures") {
      for (const kind of CRITIC_FAILURE_KINDS) total.failures[kind] += batch.failures[kind];
    } else total[key] += batch[key];
  }
  return total;
}

/**
 * The failure counters as one short line, non-zero kinds only.
 *
 * @param failures Counts by kind.
 * @returns E.g. `"timeout 2, http_5xx 1"`, or `"none"`.
 * @example
 * ```ts
 * formatFailures({ ...emptyFailureCounts(), timeout: 2 }); // "timeout 2"
 * ```
 */
export function formatFailures(failures: Readonly<CriticFailureCounts>): string {
  const parts = CRITIC_FAILURE_KINDS.filter((k) => failures[k] > 0).map((k) =>
    `${k} ${failures[k]}`
  );
  return parts.length ? parts.join(", ") : "none";
}
