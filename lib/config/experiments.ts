/**
 * Schemas of the experiment configs in experiments/configs/: the RL section (mapping one to one onto
 * lib/train's `RlConfig`, defaults from a named preset), the synthetic task, the demo, a single
 * training run, and ablation grids. YAML keys are the library's option names (camelCase), so a
 * resolved config passes straight to the library and into lineage.
 * @module
 */
import { type Schema, t } from "./schema.ts";
import { RL_PRESETS, type RlConfig } from "../train/mod.ts";
import {
  ADVANTAGE_ESTIMATORS,
  type AdvantageEstimatorName,
  AGGREGATION_MODES,
  POLICY_LOSSES,
} from "../rl/mod.ts";
import { VOTE_RULES } from "../critic/mod.ts";
import { BACKEND_ORDER, type BackendName } from "../model/mod.ts";

const ESTIMATORS = Object.keys(ADVANTAGE_ESTIMATORS) as (keyof typeof ADVANTAGE_ESTIMATORS)[];
const LOSSES = Object.keys(POLICY_LOSSES) as (keyof typeof POLICY_LOSSES)[];
const RULES = Object.keys(VOTE_RULES) as (keyof typeof VOTE_RULES)[];
const BACKENDS = ["auto", ...BACKEND_ORDER] as const;

/**
 * The `rl:` section: every `RlConfig` key, defaults taken from `base` (a preset).
 *
 * @param base The preset supplying defaults. @default RL_PRESETS.demo
 * @returns An object schema producing an `RlConfig`.
 * @example
 * ```ts
 * const schema = rlSchema(RL_PRESETS.tiny);
 * ```
 */
export function rlSchema(base: Readonly<RlConfig> = RL_PRESETS.demo): Schema<RlConfig> {
  const n = (key: keyof RlConfig, doc: string, min = 0) =>
    t.number({ default: base[key] as number, min, doc });
  const i = (key: keyof RlConfig, doc: string, min = 0) =>
    t.integer({ default: base[key] as number, min, doc });
  const c = base.critic;
  return t.object({
    estimator: t.enum(ESTIMATORS, { default: base.estimator, doc: "advantage estimator" }),
    loss: t.enum(LOSSES, { default: base.loss, doc: "policy loss" }),
    wWhole: n("wWhole", "outcome weight W_whole of the token reward"),
    wProcess: n("wProcess", "process weight W_process (penalty on critic-flagged steps)"),
    iterations: i("iterations", "RL iterations (sample, score, update)", 1),
    batchPrompts: i("batchPrompts", "prompts per iteration", 1),
    n: i("n", "rollouts per prompt (group size)", 1),
    lr: n("lr", "Adam learning rate"),
    clipLow: n("clipLow", "lower PPO clip epsilon"),
    clipHigh: n("clipHigh", "upper PPO clip epsilon"),
    epochs: i("epochs", "PPO epochs over each iteration's rollouts", 1),
    minibatch: i("minibatch", "rollouts per optimizer step", 1),
    aggregation: t.enum(AGGREGATION_MODES, { default: base.aggregation, doc: "loss aggregation" }),
    klCoef: n("klCoef", "KL-to-start-policy weight (0 = off)"),
    klEstimator: t.enum(["k1", "k2", "k3"] as const, {
      default: base.klEstimator,
      doc: "KL estimator",
    }),
    entropyCoef: n("entropyCoef", "entropy bonus weight (0 = off)"),
    maxGradNorm: t.number({
      default: base.maxGradNorm,
      min: 1e-12,
      doc: "global-norm gradient clip (.inf = off)",
    }),
    temperature: t.number({
      default: base.temperature,
      min: 1e-6,
      doc: "rollout sampling temperature",
    }),
    maxNewTokens: i("maxNewTokens", "longest sampled response, tokens", 1),
    critic: t.object({
      k: t.integer({ default: c.k, min: 1, doc: "critiques per response" }),
      voteRule: t.enum(RULES, { default: c.voteRule, doc: "vote rule merging the k critiques" }),
      m: t.integer({ default: c.m, min: 1, doc: "flags needed by the at-least-m rule" }),
      falseFlagRate: t.number({
        default: c.falseFlagRate,
        min: 0,
        max: 1,
        doc: "reference critic: P(flag a correct step)",
      }),
      missedFlagRate: t.number({
        default: c.missedFlagRate,
        min: 0,
        max: 1,
        doc: "reference critic: P(miss a wrong step)",
      }),
      includeReference: t.boolean({
        default: c.includeReference,
        doc: "show the gold answer to the critic",
      }),
    }, { doc: "critic and vote" }),
    evalEvery: i("evalEvery", "evaluate every this many iterations (0 = before and after only)"),
    evalSize: i("evalSize", "test problems per evaluation (0 = whole split)"),
    checkpointEvery: i("checkpointEvery", "checkpoint every this many iterations (0 = never)"),
    seed: i("seed", "seed of prompt order, sampling and minibatches"),
    backend: t.enum(BACKENDS, { default: base.backend, doc: "TensorFlow.js backend" }),
  }, { doc: "RL settings (lib/train RlConfig)" }) as unknown as Schema<RlConfig>;
}

/** The synthetic task settings (`generateSyntheticTask` options). */
export interface TaskConfig {
  seed: number;
  trainSize: number;
  validSize: number;
  testSize: number;
  minOps: number;
  maxOps: number;
}

/** The `task:` section: the seeded synthetic arithmetic task. */
export const TASK_SCHEMA: Schema<TaskConfig> = t.object({
  seed: t.integer({ default: 0, min: 0, doc: "seed of the synthetic task" }),
  trainSize: t.integer({ default: 2000, min: 1, doc: "training problems (RL prompts)" }),
  validSize: t.integer({ default: 100, min: 0, doc: "validation problems" }),
  testSize: t.integer({ default: 200, min: 1, doc: "test problems (evaluation)" }),
  minOps: t.integer({ default: 3, min: 1, doc: "fewest operations per problem" }),
  maxOps: t.integer({ default: 5, min: 1, doc: "most operations per problem" }),
}, { doc: "synthetic task" });

function common(rlBase: Readonly<RlConfig>): {
  name: Schema<string>;
  task: Schema<TaskConfig>;
  checkpoint: Schema<string>;
  rl: Schema<RlConfig>;
} {
  return {
    name: t.string({ default: "run", doc: "run name in lineage" }),
    task: TASK_SCHEMA,
    checkpoint: t.string({
      default: "data/sft",
      doc: "SFT checkpoint folder the policy starts from",
    }),
    rl: rlSchema(rlBase),
  };
}

/** Settings of the sampled evaluation. */
export interface SampledEvalConfig {
  /** Responses per test problem (0 = off). */
  samples: number;
  temperature: number;
  seed: number;
}

/** The `sampledEval:` section: a second, sampled evaluation beside the greedy one. */
export const SAMPLED_EVAL_SCHEMA: Schema<SampledEvalConfig> = t.object({
  samples: t.integer({
    default: 4,
    min: 0,
    doc: "sampled responses per test problem for the sampled evaluation (0 = off)",
  }),
  temperature: t.number({ default: 1, min: 1e-6, doc: "temperature of the sampled evaluation" }),
  seed: t.integer({ default: 99, min: 0, doc: "sampler seed of the sampled evaluation" }),
}, { doc: "sampled evaluation (lucky answers show up more under sampling than greedily)" });

/** A single RL run: name, task, starting checkpoint, RL settings, critic latency. */
export interface TrainConfig {
  name: string;
  task: TaskConfig;
  checkpoint: string;
  rl: RlConfig;
  criticLatencyMs: number;
}

/** The demo: a training config plus the arms and the sampled evaluation. */
export interface DemoConfig extends TrainConfig {
  arms: AdvantageEstimatorName[];
  sampledEval: SampledEvalConfig;
}

/** An ablation: a training config plus the grid, its grouping and the reported metrics. */
export interface AblationConfig extends TrainConfig {
  sampledEval: SampledEvalConfig;
  grid: Record<string, (number | string | boolean)[]>;
  groupBy: string[];
  metrics: string[];
}

/** experiments/configs/demo.yaml: CAPO vs GRPO from the shipped SFT checkpoint. */
export const DEMO_CONFIG_SCHEMA: Schema<DemoConfig> = t.object({
  ...common(RL_PRESETS.demo),
  name: t.string({ default: "demo", doc: "run name in lineage" }),
  arms: t.array(t.enum(ESTIMATORS), {
    default: ["capo", "grpo"],
    minItems: 1,
    doc: "estimators trained side by side, same seed and budget",
  }),
  sampledEval: SAMPLED_EVAL_SCHEMA,
  criticLatencyMs: t.integer({
    default: 0,
    min: 0,
    doc: "reference critic server: added latency per request, ms",
  }),
});

/** A single RL run (`deno task train --config`). */
export const TRAIN_CONFIG_SCHEMA: Schema<TrainConfig> = t.object({
  ...common(RL_PRESETS.demo),
  criticLatencyMs: t.integer({
    default: 0,
    min: 0,
    doc: "reference critic server: added latency per request, ms",
  }),
});

/** An ablation: a base training config and a grid of dotted overrides, one run per combination. */
export const ABLATION_CONFIG_SCHEMA: Schema<AblationConfig> = t.object({
  ...common(RL_PRESETS.demo),
  name: t.string({ default: "ablation", doc: "ablation name (runs/<id> and the table title)" }),
  sampledEval: SAMPLED_EVAL_SCHEMA,
  criticLatencyMs: t.integer({
    default: 0,
    min: 0,
    doc: "reference critic server: added latency per request, ms",
  }),
  grid: t.record(t.array(t.scalar(), { minItems: 1 }), {
    doc: "dotted config key → values; the runs are the cross product",
  }),
  groupBy: t.array(t.string(), {
    default: [],
    doc:
      "grid keys that name a row of the table; the other grid keys (seeds) are averaged with their spread",
  }),
  metrics: t.array(t.string(), {
    default: [
      "accuracy",
      "process_accuracy",
      "lucky_rate",
      "sampled.accuracy",
      "sampled.process_accuracy",
      "sampled.lucky_rate",
    ],
    doc: "summary metrics reported in the table",
  }),
});

/** A part of `deno task bench`. */
export type BenchPart = "policy" | "verify" | "critic" | "train";

/** Parts of `deno task bench`, in the order they run. */
export const BENCH_PARTS: readonly BenchPart[] = ["policy", "verify", "critic", "train"];

/** What `deno task bench` measures and on which data. */
export interface BenchConfig {
  name: string;
  parts: BenchPart[];
  checkpoint: string;
  task: TaskConfig;
  policy: {
    limit: number;
    majK: number;
    temperature: number;
    maxNewTokens: number;
    seed: number;
    backend: BackendName;
  };
  verify: { path: string; rounds: number };
  critic: {
    bigBenchMistake: string;
    evalLimit: number;
    ks: number[];
    responses: number;
    latencyMs: number;
    concurrency: number;
    k: number;
  };
  train: { backends: Exclude<BackendName, "auto">[]; steps: number; rlIteration: boolean };
}

/** experiments/configs/bench.yaml: what `deno task bench` measures and on which data. */
export const BENCH_CONFIG_SCHEMA: Schema<BenchConfig> = t.object({
  name: t.string({ default: "bench", doc: "run name in lineage" }),
  parts: t.array(t.enum(BENCH_PARTS), {
    default: [...BENCH_PARTS],
    minItems: 1,
    doc: "parts to run (CLI: --parts=policy,verify)",
  }),
  checkpoint: t.string({
    default: "data/sft",
    doc: "policy checkpoint evaluated by the policy part",
  }),
  task: TASK_SCHEMA,
  policy: t.object({
    limit: t.integer({ default: 200, min: 1, doc: "test problems evaluated" }),
    majK: t.integer({ default: 8, min: 1, doc: "samples per problem for maj@k" }),
    temperature: t.number({ default: 1, min: 1e-6, doc: "sampling temperature of maj@k" }),
    maxNewTokens: t.integer({ default: 64, min: 1, doc: "longest response, tokens" }),
    seed: t.integer({ default: 0, min: 0, doc: "sampling seed of maj@k" }),
    backend: t.enum(BACKENDS, { default: "wasm", doc: "TensorFlow.js backend of the policy part" }),
  }, { doc: "policy evaluation on the synthetic test split" }),
  verify: t.object({
    path: t.string({
      default: "data/verify_labelled.jsonl",
      doc: "labelled verifier cases (JSONL)",
    }),
    rounds: t.integer({ default: 5, min: 1, doc: "timed passes over the set" }),
  }, { doc: "verifier agreement and throughput" }),
  critic: t.object({
    bigBenchMistake: t.string({
      default: "../shared/data/big-bench-mistake/multistep_arithmetic.jsonl",
      doc: "BIG-Bench-Mistake file scored for F1 (skipped with a note when missing)",
    }),
    evalLimit: t.integer({ default: 300, min: 1, doc: "BIG-Bench-Mistake traces scored" }),
    ks: t.array(t.integer({ min: 1 }), { default: [1, 4], minItems: 1, doc: "k values scored" }),
    responses: t.integer({ default: 320, min: 1, doc: "responses in the throughput batch" }),
    latencyMs: t.integer({
      default: 200,
      min: 0,
      doc: "added server latency of the throughput run, ms",
    }),
    concurrency: t.integer({
      default: 16,
      min: 1,
      doc: "client concurrency of the throughput run",
    }),
    k: t.integer({ default: 4, min: 1, doc: "critiques per response in the throughput run" }),
  }, { doc: "critic F1 on BIG-Bench-Mistake, critiques/s, cache" }),
  train: t.object({
    backends: t.array(t.enum(BACKEND_ORDER), {
      default: ["tensorflow", "wasm"],
      minItems: 1,
      doc: "backends timed (ones that do not start are reported)",
    }),
    steps: t.integer({ default: 3, min: 1, doc: "timed train steps per backend" }),
    rlIteration: t.boolean({
      default: true,
      doc: "also time one full RL iteration (rollout → update)",
    }),
  }, { doc: "train-step time per backend, sampling tokens/s, RL iteration time" }),
});

/**
 * Keys of an ablation config that are not keys of a training run: drop them (`resolveCell`'s
 * `omit`) when resolving a grid cell against {@linkcode TRAIN_CONFIG_SCHEMA}.
 */
export const ABLATION_ONLY_KEYS: readonly string[] = Object.freeze([
  "name",
  "grid",
  "groupBy",
  "metrics",
  "sampledEval",
]);
