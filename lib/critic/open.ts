/**
 * Opens the critic a config section describes: with an empty `baseUrl`, the built-in reference
 * critic on a free 127.0.0.1 port (seeded noise), closed by `close()`; otherwise a client for the
 * endpoint. Runners and trainers receive this ready critic and start no server themselves.
 * `record()` is what lineage stores about the critic: settings in camelCase, the sha256 of the
 * template's text, the NAME of the key's variable, never the key.
 * @module
 */
import { CriticClient } from "./client.ts";
import {
  addCriticMetrics,
  type CriticBatchMetrics,
  type CritiqueOutcome,
  type CritiqueRequest,
  emptyCriticMetrics,
  formatFailures,
} from "./config.ts";
import { CriticFailureRateError } from "./errors.ts";
import type { CriticSection } from "./section.ts";
import type { VoteRule } from "./vote.ts";
import { startReferenceCriticServer } from "./reference/server.ts";

/** Options for {@linkcode openCritic}. */
export interface OpenCriticOptions {
  /** Seed of the reference critic's noise, the sampling seed and the retry jitter. */
  seed: number;
  /** Receives one line per retry and per failed request (never the key). @default undefined */
  log?: (line: string) => void;
  /** Reads an environment variable (the API key). @default Deno.env.get */
  getEnv?: (name: string) => string | undefined;
  /** The `fetch` requests go through (tests inject one). @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** What lineage records about the critic: no key, no secret-bearing URL parts. */
export interface CriticLineage {
  /** `"reference"` for the built-in critic, `"endpoint"` for a configured one. */
  source: "reference" | "endpoint";
  /** The configured base URL without credentials or query (`""` for the reference critic). */
  baseUrl: string;
  model: string;
  /** Name of the API key's environment variable (`""` = none). */
  apiKeyEnv: string;
  /** Template name or path as configured. */
  template: string;
  /** sha256 of the template file's text. */
  templateSha256: string;
  /** Template version from its front matter. */
  templateVersion: string;
  k: number;
  voteRule: VoteRule;
  m: number;
  temperature: number;
  maxTokens: number;
  concurrency: number;
  requestsPerMinute: number;
  timeoutMs: number;
  maxAttempts: number;
  cacheDir: string;
  includeReference: boolean;
  maxFailureRate: number;
  /** Noise of the reference critic; `null` for an endpoint. */
  reference: CriticSection["reference"] | null;
  seed: number;
}

/** A ready critic. */
export interface OpenedCritic {
  /**
   * Critiques a batch; failure counts by kind are in `metrics.failures`.
   * @throws {CriticFailureRateError} When more than `maxFailureRate` of the batch's critiques
   *   failed or did not parse.
   * @throws {CriticConnectionError} When the endpoint refuses the connection.
   */
  critique(
    requests: readonly CritiqueRequest[],
  ): Promise<{ outcomes: CritiqueOutcome[]; metrics: CriticBatchMetrics }>;
  /** The base URL requests go to (the reference server's `http://127.0.0.1:PORT/v1`). */
  baseUrl: string;
  /** Lineage-safe settings. */
  record(): CriticLineage;
  /** Metrics summed over every `critique` call so far. */
  totals(): CriticBatchMetrics;
  /** Stops the reference server, if this critic started one (idempotent). */
  close(): Promise<void>;
}

/** A URL without user info, query or fragment, which may carry credentials. */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "(unparseable URL)";
  }
}

/**
 * Opens the critic of a config section.
 *
 * @param section The critic section (see `CRITIC_SECTION_SCHEMA`).
 * @param options Seed, logger, environment reader. See {@linkcode OpenCriticOptions}.
 * @returns The ready critic; call `close()` when done.
 * @throws {TypeError} When `apiKeyEnv` names an unset variable (one line naming it), or `baseUrl`
 *   is not an http(s) URL.
 * @throws {Deno.errors.NotFound} When the template is neither a built-in name nor a file.
 * @example
 * ```ts
 * import { DEFAULT_CRITIC_SECTION } from "./section.ts";
 * const critic = await openCritic({ ...DEFAULT_CRITIC_SECTION, k: 2 }, { seed: 0 });
 * const { outcomes } = await critic.critique([{ problem: "2+2", response: "2+2=5\n\n\\boxed{5}" }]);
 * console.log(outcomes[0].wrongness, critic.record().templateSha256);
 * await critic.close();
 * ```
 */
export async function openCritic(
  section: Readonly<CriticSection>,
  options: OpenCriticOptions,
): Promise<OpenedCritic> {
  const { seed, log, fetch } = options;
  const getEnv = options.getEnv ?? ((name: string) => Deno.env.get(name));
  const source = section.baseUrl === "" ? "reference" : "endpoint";
  if (source === "endpoint" && !/^https?:\/\/[^/]/.test(section.baseUrl)) {
    throw new TypeError(
      `Cannot open the critic: expected critic.baseUrl to be an http(s) URL such as http://127.0.0.1:8000/v1, or "" for the reference critic, got ${
        JSON.stringify(section.baseUrl)
      }`,
    );
  }
  if (section.apiKeyEnv && !getEnv(section.apiKeyEnv)) {
    throw new TypeError(
      `Cannot open the critic: environment variable ${section.apiKeyEnv} (critic.apiKeyEnv) is not set; export it with the API key, or set critic.apiKeyEnv to ""`,
    );
  }
  const server = source === "reference"
    ? await startReferenceCriticServer({
      port: 0,
      model: section.model,
      latencyMs: section.reference.latencyMs,
      noise: {
        falseFlagRate: section.reference.falseFlagRate,
        missedFlagRate: section.reference.missedFlagRate,
        seed,
      },
    })
    : undefined;
  const baseUrl = server?.baseUrl ?? section.baseUrl;
  try {
    const client = new CriticClient({
      baseUrl,
      model: section.model,
      apiKeyEnv: section.apiKeyEnv || undefined,
      template: section.template,
      k: section.k,
      voteRule: section.voteRule,
      voteM: section.m,
      temperature: section.temperature,
      maxTokens: section.maxTokens,
      concurrency: section.concurrency,
      requestsPerMinute: section.requestsPerMinute || undefined,
      timeoutMs: section.timeoutMs,
      maxAttempts: section.maxAttempts,
      cacheDir: section.cacheDir || undefined,
      includeReference: section.includeReference,
      seed,
    }, { seed, log, getEnv, fetch });
    // Loaded now, so a bad template fails before any training starts.
    const template = await client.template();
    const totals = emptyCriticMetrics();
    const record: CriticLineage = Object.freeze({
      source,
      baseUrl: source === "reference" ? "" : safeUrl(section.baseUrl),
      model: section.model,
      apiKeyEnv: section.apiKeyEnv,
      template: section.template,
      templateSha256: template.sha256,
      templateVersion: template.version,
      k: section.k,
      voteRule: section.voteRule,
      m: section.m,
      temperature: section.temperature,
      maxTokens: section.maxTokens,
      concurrency: section.concurrency,
      requestsPerMinute: section.requestsPerMinute,
      timeoutMs: section.timeoutMs,
      maxAttempts: section.maxAttempts,
      cacheDir: section.cacheDir,
      includeReference: section.includeReference,
      maxFailureRate: section.maxFailureRate,
      reference: source === "reference" ? { ...section.reference } : null,
      seed,
    });
    let closed = false;
    return {
      baseUrl,
      record: () => structuredClone(record),
      totals: () => structuredClone(totals),
      async critique(requests) {
        const result = await client.critiqueBatch(requests);
        addCriticMetrics(totals, result.metrics);
        checkFailureRate(result.metrics, section.maxFailureRate, safeUrl(baseUrl));
        return result;
      },
      async close() {
        if (closed) return;
        closed = true;
        await server?.close();
      },
    };
  } catch (error) {
    await server?.close();
    throw error;
  }
}

function checkFailureRate(metrics: CriticBatchMetrics, max: number, url: string): void {
  const asked = metrics.critiques;
  const failed = metrics.failedCritiques + metrics.failures.parse;
  if (asked === 0 || failed / asked <= max) return;
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  throw new CriticFailureRateError(
    `Critic at ${url} failed on ${failed} of ${asked} critiques (${
      pct(failed / asked)
    } > critic.maxFailureRate ${pct(max)}; failed attempts: ${
      formatFailures(metrics.failures)
    }): check the endpoint, or raise critic.maxFailureRate`,
  );
}
