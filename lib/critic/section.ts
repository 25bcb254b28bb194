/**
 * The critic section of an experiment config, owned by lib/critic and defined once as a schema: the
 * type, defaults, validation and generated docs all derive from `CRITIC_SECTION_SCHEMA`. Either an
 * OpenAI-compatible endpoint (`baseUrl`, `model`, `apiKeyEnv`) or, with an empty `baseUrl`, the
 * built-in reference critic with its noise settings; plus the vote rule and the client's limits.
 * @module
 */
import { type Infer, t } from "../config/schema.ts";
import { VOTE_RULE_NAMES } from "./vote.ts";

/**
 * The schema of the `critic` config section.
 *
 * @example
 * ```ts
 * import { CRITIC_SECTION_SCHEMA } from "./section.ts";
 * const section = CRITIC_SECTION_SCHEMA.parse({ k: 8, voteRule: "intersection" }, ["critic"], {
 *   fail: (path, message) => { throw new SyntaxError(`${path.join(".")}: ${message}`); },
 * });
 * ```
 */
export const CRITIC_SECTION_SCHEMA = t.object({
  baseUrl: t.string({
    default: "",
    doc: "OpenAI-compatible base URL ending in /v1; empty = the built-in reference critic",
  }),
  model: t.string({ default: "capo-reference-critic", doc: "model name sent with each request" }),
  apiKeyEnv: t.string({
    default: "",
    pattern: /^([A-Za-z_][A-Za-z0-9_]*)?$/,
    doc: "NAME of the environment variable holding the API key (never the key); empty = none",
  }),
  template: t.string({
    default: "genprm_v1",
    doc: "prompt template: a built-in name or a template file path",
  }),
  k: t.integer({ default: 4, min: 1, max: 64, doc: "critiques per response" }),
  voteRule: t.enum(VOTE_RULE_NAMES, {
    default: "majority",
    doc: "how the k critiques merge into per-step wrongness",
  }),
  m: t.integer({ default: 2, min: 1, doc: "flags needed by the at-least-m rule" }),
  temperature: t.number({ default: 0.7, min: 0, max: 2, doc: "critic sampling temperature" }),
  maxTokens: t.integer({ default: 1024, min: 1, doc: "completion token limit per critique" }),
  concurrency: t.integer({ default: 16, min: 1, doc: "critic requests in flight at most" }),
  requestsPerMinute: t.integer({
    default: 0,
    min: 0,
    doc: "critic request starts per minute at most; 0 = unlimited",
  }),
  timeoutMs: t.integer({
    default: 60_000,
    min: 1,
    doc: "per-request timeout over headers and body, ms",
  }),
  maxAttempts: t.integer({
    default: 3,
    min: 1,
    max: 20,
    doc: "attempts per critic request, the first included",
  }),
  cacheDir: t.string({ default: "", doc: "critique cache folder; empty = no cache" }),
  includeReference: t.boolean({ default: true, doc: "show the gold answer to the critic" }),
  maxFailureRate: t.number({
    default: 0.5,
    min: 0,
    max: 1,
    doc: "stop when more than this fraction of a batch's critiques fail or do not parse; 1 = never",
  }),
  reference: t.object({
    falseFlagRate: t.number({
      default: 0.1,
      min: 0,
      max: 1,
      doc: "reference critic: P(flag a correct step)",
    }),
    missedFlagRate: t.number({
      default: 0.2,
      min: 0,
      max: 1,
      doc: "reference critic: P(miss a wrong step)",
    }),
    latencyMs: t.integer({
      default: 0,
      min: 0,
      doc: "reference critic: added latency per request, ms",
    }),
  }, { doc: "noise of the built-in reference critic (used when baseUrl is empty)" }),
}, { doc: "the critic: an OpenAI-compatible endpoint or the built-in reference critic" });

/** The critic section of an experiment config (derived from {@linkcode CRITIC_SECTION_SCHEMA}). */
export type CriticSection = Infer<typeof CRITIC_SECTION_SCHEMA>;

/**
 * The section's defaults: the reference critic, k = 4, majority vote.
 *
 * @example
 * ```ts
 * const section = { ...DEFAULT_CRITIC_SECTION, k: 8 };
 * ```
 */
export const DEFAULT_CRITIC_SECTION: Readonly<CriticSection> = Object.freeze(
  CRITIC_SECTION_SCHEMA.parse({}, ["critic"], {
    fail: (path, message) => {
      throw new SyntaxError(`Cannot build the critic defaults at ${path.join(".")}: ${message}`);
    },
  }),
);

/**
 * Parses a critic section from plain data (a YAML mapping, CLI overrides), filling defaults.
 *
 * @param value The section's value (`undefined` = all defaults).
 * @param location Where it came from, for messages. @default "critic"
 * @returns The full section.
 * @throws {SyntaxError} One line naming the key and what was expected, e.g.
 *   `Cannot read critic.k: expected critic.k to be an integer in [1, 64], got 0`.
 * @example
 * ```ts
 * parseCriticSection({ baseUrl: "http://127.0.0.1:8000/v1", model: "qwen2.5-7b" }).k; // 4
 * ```
 */
export function parseCriticSection(value: unknown, location = "critic"): CriticSection {
  return CRITIC_SECTION_SCHEMA.parse(value, [location], {
    fail: (path, message) => {
      throw new SyntaxError(`Cannot read ${path.join(".")}: ${message}`);
    },
  });
}
