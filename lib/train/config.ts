/**
 * The RL settings of a run, defined once: `RL_SCHEMA` gives the type (`RlConfig`), the defaults,
 * validation (with file:line:key errors when it comes from YAML) and the generated docs/config.md
 * rows. Named presets (`tiny` for tests, `demo` for the CAPO-vs-GRPO demo) are partial overrides
 * resolved through the same schema. The critic's settings live in lib/critic's section.
 * @module
 */
import { type Infer, type ParseContext, t } from "../config/schema.ts";
import { BACKEND_ORDER } from "../model/mod.ts";
import { ADVANTAGE_ESTIMATORS } from "../rl/advantages.ts";
import { AGGREGATION_MODES, POLICY_LOSSES } from "../rl/losses.ts";
import { MAX_RELATIVE_TOLERANCE } from "../verify/types.ts";

const ESTIMATORS = Object.keys(ADVANTAGE_ESTIMATORS) as (keyof typeof ADVANTAGE_ESTIMATORS)[];
const LOSSES = Object.keys(POLICY_LOSSES) as (keyof typeof POLICY_LOSSES)[];
const BACKENDS = ["auto", ...BACKEND_ORDER] as const;

/** The `rl:` section: every RL setting with its default, bounds and meaning. */
export const RL_SCHEMA = t.object({
  estimator: t.enum(ESTIMATORS, { default: "capo", doc: "advantage estimator" }),
  loss: t.enum(LOSSES, { default: "ppo_clip", doc: "policy loss" }),
  wWhole: t.number({ default: 2, min: 0, doc: "outcome weight W_whole of the token reward" }),
  wProcess: t.number({
    default: 1,
    min: 0,
    doc: "process weight W_process (penalty on critic-flagged steps)",
  }),
  iterations: t.integer({ default: 60, min: 1, doc: "RL iterations (sample, score, update)" }),
  batchPrompts: t.integer({ default: 8, min: 1, doc: "prompts per iteration" }),
  n: t.integer({ default: 8, min: 1, doc: "rollouts per prompt (group size)" }),
  lr: t.number({ default: 3e-5, min: 0, doc: "Adam learning rate" }),
  clipLow: t.number({ default: 0.2, min: 0, doc: "lower PPO clip epsilon" }),
  clipHigh: t.number({ default: 0.2, min: 0, doc: "upper PPO clip epsilon" }),
  epochs: t.integer({ default: 1, min: 1, doc: "PPO epochs over each iteration's rollouts" }),
  minibatch: t.integer({ default: 32, min: 1, doc: "rollouts per optimizer step" }),
  microBatch: t.integer({
    default: 0,
    min: 0,
    doc: "rollouts per forward pass; gradients accumulate over the minibatch (0 = the minibatch)",
  }),
  aggregation: t.enum(AGGREGATION_MODES, { default: "token-mean", doc: "loss aggregation" }),
  klCoef: t.number({ default: 0, min: 0, doc: "KL-to-start-policy weight (0 = off)" }),
  klEstimator: t.enum(["k1", "k2", "k3"] as const, { default: "k3", doc: "KL estimator" }),
  entropyCoef: t.number({ default: 0, min: 0, doc: "entropy bonus weight (0 = off)" }),
  maxGradNorm: t.number({
    default: 1,
    min: 1e-12,
    doc: "global-norm gradient clip (.inf = off)",
  }),
  temperature: t.number({ default: 1, min: 1e-6, doc: "rollout sampling temperature" }),
  maxNewTokens: t.integer({ default: 64, min: 1, doc: "longest sampled response, tokens" }),
  evalEvery: t.integer({
    default: 0,
    min: 0,
    doc: "evaluate every this many iterations (0 = before and after only)",
  }),
  checkpointEvery: t.integer({
    default: 10,
    min: 0,
    doc: "checkpoint every this many iterations (0 = never); resume needs checkpoints",
  }),
  seed: t.integer({ default: 0, min: 0, doc: "seed of prompt order, sampling and minibatches" }),
  backend: t.enum(BACKENDS, { default: "wasm", doc: "TensorFlow.js backend" }),
  verify: t.object({
    signedVariables: t.boolean({
      default: false,
      doc: "judge roots and logs for variables of either sign (sqrt(x^2) is not x), as a CAS does",
    }),
    relativeTolerance: t.number({
      default: 0,
      min: 0,
      max: MAX_RELATIVE_TOLERANCE,
      doc: "constants written with a decimal point match within this fraction (0 = exact)",
    }),
    percent: t.boolean({ default: false, doc: "let x and x/100 match when neither writes %" }),
    unordered: t.boolean({ default: false, doc: "compare bare lists (1, 2, 3) as multisets" }),
  }, {
    doc: "how the outcome verifier judges answers in rewards and evaluations (docs/verify.md)",
  }),
}, { doc: "RL settings" });

/** Everything an RL run needs besides the policy, the tasks and the critic. */
export type RlConfig = Infer<typeof RL_SCHEMA>;

/** A partial config: any subset of keys. */
export type RlConfigInput = Partial<RlConfig>;

const THROW: ParseContext = {
  fail(path, message): never {
    throw new RangeError(`Cannot resolve RL config: ${message} (at ${path.join(".") || "rl"})`);
  },
};

/**
 * Merges a partial config over a base (default: the schema's defaults) and validates it.
 *
 * @param input Keys to override; unknown keys are errors.
 * @param base The config to start from.
 * @returns A complete, frozen config.
 * @throws {RangeError} For an unknown key, or a value of the wrong type or out of range.
 * @example
 * ```ts
 * const config = resolveRlConfig({ estimator: "grpo", iterations: 10 });
 * ```
 */
export function resolveRlConfig(
  input: RlConfigInput = {},
  base?: Readonly<RlConfig>,
): Readonly<RlConfig> {
  return Object.freeze(RL_SCHEMA.parse({ ...base, ...input }, ["rl"], THROW));
}

/** The default RL config (the schema's defaults). */
export const DEFAULT_RL_CONFIG: Readonly<RlConfig> = resolveRlConfig();

/**
 * Named presets: `tiny` (tests: 2 iterations of 2 × 2 rollouts on the cpu backend) and `demo` (the
 * CAPO-vs-GRPO demo budget: the defaults, with no checkpoints).
 */
export const RL_PRESETS: Readonly<Record<"tiny" | "demo", Readonly<RlConfig>>> = Object.freeze({
  tiny: resolveRlConfig({
    iterations: 2,
    batchPrompts: 2,
    n: 2,
    minibatch: 2,
    maxNewTokens: 24,
    evalEvery: 1,
    checkpointEvery: 1,
    backend: "cpu",
  }),
  demo: resolveRlConfig({ checkpointEvery: 0 }),
});
