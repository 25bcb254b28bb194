/**
 * Opens the critic a `critic:` section describes: a client for its endpoint, or — with an empty
 * `baseUrl` — the reference critic server started on a free 127.0.0.1 port (seeded noise) and a
 * client for it. What a run records about its critic comes from `record()` (no key, ever).
 * @module
 */
import { CriticClient } from "./client.ts";
import type { CriticBatchMetrics, CritiqueOutcome, CritiqueRequest } from "./config.ts";
import { startReferenceCriticServer } from "./server.ts";
import type { CriticSection } from "./section.ts";
import { loadTemplate } from "./template.ts";

/** Options for {@linkcode openCritic}. */
export interface OpenCriticOptions {
  /** Seed of the reference critic's noise, the request seeds and the retry jitter. @default 0 */
  seed?: number;
  /** One line per retry or failed request. @default none */
  log?: (line: string) => void;
  /** Reads an environment variable (the API key). @default Deno.env.get */
  getEnv?: (name: string) => string | undefined;
}

/** An open critic. */
export interface OpenCritic {
  /** Critiques a batch: one outcome per request, in order, and the batch's counters. */
  critique(
    requests: CritiqueRequest[],
  ): Promise<{ outcomes: CritiqueOutcome[]; metrics: CriticBatchMetrics }>;
  /** The endpoint's base URL. */
  baseUrl: string;
  /** Lineage-safe settings (camelCase; the template's sha256 is of its text). */
  record(): Promise<Record<string, unknown>>;
  /** Stops the reference server when this call started one. */
  close(): Promise<void>;
}

/**
 * Opens the critic of a `critic:` section.
 *
 * @param section The resolved section.
 * @param options See {@linkcode OpenCriticOptions}.
 * @returns The critic; call `close()` when done.
 * @throws {Error} When `apiKeyEnv` names a variable that is not set.
 * @example
 * ```ts
 * const critic = await openCritic(CRITIC_SECTION_SCHEMA.parse({}, ["critic"], ctx), { seed: 0 });
 * const { outcomes } = await critic.critique([{ problem: "7+5", response: "7+5=12\n\n\\boxed{12}" }]);
 * await critic.close();
 * ```
 */
export async function openCritic(
  section: Readonly<CriticSection>,
  options: OpenCriticOptions = {},
): Promise<OpenCritic> {
  const { seed = 0, log, getEnv = (name: string) => Deno.env.get(name) } = options;
  if (section.apiKeyEnv && !getEnv(section.apiKeyEnv)) {
    throw new Error(
      `Cannot open the critic: the environment variable ${section.apiKeyEnv} (critic.apiKeyEnv) is not set; export it or clear critic.apiKeyEnv`,
    );
  }
  const builtIn = section.baseUrl === "";
  const server = builtIn
    ? await startReferenceCriticServer({
      port: 0,
      latencyMs: section.reference.latencyMs,
      noise: {
        falseFlagRate: section.reference.falseFlagRate,
        missedFlagRate: section.reference.missedFlagRate,
        seed,
      },
    })
    : undefined;
  const baseUrl = server?.baseUrl ?? section.baseUrl;
  const client = new CriticClient({
    baseUrl,
    model: section.model,
    ...(section.apiKeyEnv ? { apiKeyEnv: section.apiKeyEnv } : {}),
    template: section.template,
    k: section.k,
    voteRule: section.voteRule,
    voteM: section.m,
    temperature: section.temperature,
    maxTokens: section.maxTokens,
    concurrency: section.concurrency,
    ...(section.requestsPerMinute > 0 ? { requestsPerMinute: section.requestsPerMinute } : {}),
    timeoutMs: section.timeoutMs,
    maxRetries: section.maxAttempts - 1,
    ...(section.cacheDir ? { cacheDir: section.cacheDir } : {}),
    includeReference: section.includeReference,
    seed,
  }, { seed, log, getEnv });
  return {
    critique: (requests) => client.critiqueBatch(requests),
    baseUrl,
    async record() {
      const template = await loadTemplate(section.template);
      return {
        endpoint: builtIn ? "reference" : "openai-compatible",
        ...(builtIn ? {} : { baseUrl: section.baseUrl }),
        model: section.model,
        ...(section.apiKeyEnv ? { apiKeyEnv: section.apiKeyEnv } : {}),
        template: section.template,
        templateSha256: template.sha256,
        k: section.k,
        voteRule: section.voteRule,
        m: section.m,
        temperature: section.temperature,
        maxTokens: section.maxTokens,
        includeReference: section.includeReference,
        maxFailureRate: section.maxFailureRate,
        ...(builtIn ? { reference: { ...section.reference, noiseSeed: seed } } : {}),
      };
    },
    close: async () => {
      await server?.close();
    },
  };
}
