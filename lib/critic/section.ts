/**
 * The `critic:` section of an experiment config, defined once: an OpenAI-compatible endpoint
 * (`baseUrl`, `model`, `apiKeyEnv` — the variable's name, never the key —, template, sampling and
 * client limits) or, with an empty `baseUrl`, the built-in reference critic with its noise; plus
 * the vote rule and the failure rate at which a run stops.
 * @module
 */
import { type Infer, t } from "../config/schema.ts";
import { VOTE_RULES } from "./vote.ts";

const RULES = Object.keys(VOTE_RULES) as (keyof typeof VOTE_RULES)[];

/** Schema of the `critic:` section. */
export const CRITIC_SECTION_SCHEMA = t.object({
  baseUrl: t.string({
    default: "",
    doc:
      "OpenAI-compatible endpoint ending in /v1; empty = the built-in reference critic on 127.0.0.1",
  }),
  model: t.string({ default: "capo-reference-critic", doc: "model name sent with each request" }),
  apiKeyEnv: t.string({
    default: "",
    doc: "name of the environment variable holding the API key (never the key itself)",
  }),
  template: t.string({ default: "genprm_v1", doc: "built-in template name or a template file" }),
  k: t.integer({ default: 4, min: 1, doc: "critiques per response" }),
  voteRule: t.enum(RULES, { default: "majority", doc: "vote rule merging the k critiques" }),
  m: t.integer({ default: 2, min: 1, doc: "flags needed by the at-least-m rule" }),
  temperature: t.number({ default: 0.7, min: 0, doc: "critic sampling temperature" }),
  maxTokens: t.integer({ default: 1024, min: 1, doc: "completion token limit per critique" }),
  concurrency: t.integer({ default: 16, min: 1, doc: "requests in flight at most" }),
  requestsPerMinute: t.integer({
    default: 0,
    min: 0,
    doc: "request starts per minute (0 = no limit)",
  }),
  timeoutMs: t.integer({ default: 60000, min: 1, doc: "per-request timeout, ms" }),
  maxAttempts: t.integer({ default: 3, min: 1, doc: "attempts per request (first one included)" }),
  cacheDir: t.string({
    default: "",
    doc: "content-addressed critique cache folder (empty = none)",
  }),
  includeReference: t.boolean({ default: true, doc: "show the gold answer to the critic" }),
  maxFailureRate: t.number({
    default: 0.5,
    min: 0,
    max: 1,
    doc:
      "stop the run when more than this fraction of an iteration's responses get no usable critique",
  }),
  reference: t.object({
    falseFlagRate: t.number({
      default: 0.1,
      min: 0,
      max: 1,
      doc: "P(a critique flags a correct step)",
    }),
    missedFlagRate: t.number({
      default: 0.2,
      min: 0,
      max: 1,
      doc: "P(a critique misses a wrong step)",
    }),
    latencyMs: t.integer({ default: 0, min: 0, doc: "added latency per request, ms" }),
  }, { doc: "the built-in reference critic (used when baseUrl is empty)" }),
}, { doc: "the critic (GenPRM) and the vote" });

/** A resolved `critic:` section. */
export type CriticSection = Infer<typeof CRITIC_SECTION_SCHEMA>;
