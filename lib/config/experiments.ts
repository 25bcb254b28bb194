/**
 * Schemas of the experiment configs in experiments/configs/, each assembled from the sections the
 * areas own: `task:` / `eval:` (lib/data), `policy:`, `rl:` (lib/train), `critic:` (lib/critic),
 * the sampled evaluation, and — for the demo and ablations — arms and grids. Types derive from the
 * schemas; YAML keys are the library's option names, so a resolved config passes straight to the
 * library and into lineage. docs/config.md is generated from these schemas.
 * @module
 */
import { type Infer, type Schema, t } from "./schema.ts";
import { RL_SCHEMA } from "../train/config.ts";
import { ADVANTAGE_ESTIMATORS } from "../rl/mod.ts";
import { CRITIC_SECTION_SCHEMA } from "../critic/section.ts";
import { taskSectionSchema } from "../data/task.ts";
import { BACKEND_ORDER } from "../model/mod.ts";

const ESTIMATORS = Object.keys(ADVANTAGE_ESTIMATORS) as (keyof typeof ADVANTAGE_ESTIMATORS)[];
const BACKENDS = ["auto", ...BACKEND_ORDER] as const;

/** The `policy:` section: which policy a run starts from. */
export const POLICY_SECTION_SCHEMA = t.object({
  kind: t.enum(["builtin", "hf"] as const, {
    default: "builtin",
    doc: "builtin: capo's small transformer (a capo checkpoint folder); hf: a Hugging Face " +
      "Llama / Qwen2 / Qwen3 checkpoint folder (docs/hf.md)",
  }),
  path: t.string({
    default: "data/sft",
    doc:
      "checkpoint folder the policy starts from, or its http(s) URL (files fetched into cacheDir)",
  }),
  cacheDir: t.string({
    default: ".cache/capo/models",
    doc: "download cache of a URL path: one entry per file URL, verified by sha256 on reuse",
  }),
  dtype: t.enum(["float32"] as const, {
    default: "float32",
    doc: "hf: how weights are held in memory; only float32: TensorFlow.js has no 16-bit float " +
      "tensors on any backend, so f16 and bf16 files are widened to float32 as they load",
  }),
  blockSize: t.integer({
    default: 0,
    min: 0,
    doc: "hf: longest prompt + response, tokens (0 = min(max_position_embeddings, 4096))",
  }),
  chat: t.boolean({
    default: true,
    doc: "hf: prompts go through the checkpoint's chat template with the generation prompt",
  }),
  adapter: t.string({ default: "", doc: "hf: a PEFT adapter folder to start from (empty = none)" }),
  lora: t.object({
    rank: t.integer({ default: 0, min: 0, doc: "LoRA rank (0 = full fine-tuning)" }),
    alpha: t.number({
      default: 16,
      min: 0,
      doc: "lora_alpha; the update is scaled by alpha / rank",
    }),
    dropout: t.number({
      default: 0,
      min: 0,
      max: 1,
      doc: "dropout on the adapter input (training)",
    }),
    targetModules: t.array(t.string(), {
      default: ["q_proj", "v_proj"],
      doc: "module names that get adapters (q_proj, k_proj, v_proj, o_proj, gate_proj, ...)",
    }),
    seed: t.integer({ default: 0, min: 0, doc: "seed of the adapter initialisation and dropout" }),
  }, { doc: "hf: LoRA adapters (the frozen base is the KL reference)" }),
  export: t.object({
    adapter: t.boolean({ default: true, doc: "hf: write <run>/adapter (PEFT) after training" }),
    merged: t.boolean({
      default: true,
      doc: "hf: write <run>/merged (a transformers / vLLM folder) after training",
    }),
  }, { doc: "hf: what a trained policy is exported as" }),
}, { doc: "the policy" });

/** A resolved `policy:` section. */
export type PolicySection = Infer<typeof POLICY_SECTION_SCHEMA>;

/** The `sampledEval:` section: a second, sampled evaluation beside the greedy one. */
export const SAMPLED_EVAL_SCHEMA = t.object({
  samples: t.integer({
    default: 4,
    min: 0,
    doc: "sampled responses per evaluation problem (0 = off)",
  }),
  temperature: t.number({ default: 1, min: 1e-6, doc: "temperature of the sampled evaluation" }),
  seed: t.integer({ default: 99, min: 0, doc: "sampler seed of the sampled evaluation" }),
}, { doc: "sampled evaluation (lucky answers show up more under sampling than greedily)" });

/** Settings of the sampled evaluation. */
export type SampledEvalConfig = Infer<typeof SAMPLED_EVAL_SCHEMA>;

const TRAIN_FIELDS = {
  name: t.string({ default: "run", doc: "run name in lineage" }),
  task: taskSectionSchema("train", 0),
  eval: taskSectionSchema("test", 200),
  policy: POLICY_SECTION_SCHEMA,
  rl: RL_SCHEMA,
  critic: CRITIC_SECTION_SCHEMA,
  sampledEval: SAMPLED_EVAL_SCHEMA,
};

/** One training run (`deno task train`): tasks, policy, RL settings, critic, evaluations. */
export const TRAIN_CONFIG_SCHEMA = t.object(TRAIN_FIELDS, { doc: "one RL run" });

/** A resolved training config. */
export type TrainConfig = Infer<typeof TRAIN_CONFIG_SCHEMA>;

/** experiments/configs/demo.yaml: CAPO vs GRPO (or any estimators) from the same start. */
export const DEMO_CONFIG_SCHEMA = t.object({
  ...TRAIN_FIELDS,
  name: t.string({ default: "demo", doc: "run name in lineage" }),
  arms: t.array(t.enum(ESTIMATORS), {
    default: ["capo", "grpo"],
    minItems: 1,
    doc: "estimators trained side by side, same seed and budget",
  }),
}, { doc: "the demo" });

/** A resolved demo config. */
export type DemoConfig = Infer<typeof DEMO_CONFIG_SCHEMA>;

/** An ablation: a base training config and a grid of dotted overrides, one run per combination. */
export const ABLATION_CONFIG_SCHEMA = t.object({
  ...TRAIN_FIELDS,
  name: t.string({ default: "ablation", doc: "ablation name (runs/<id> and the table title)" }),
  grid: t.record(t.array(t.scalar(), { minItems: 1 }), {
    doc: "dotted config key → values; the runs are the cross product",
  }),
  groupBy: t.array(t.string(), {
    default: [],
    doc:
      "grid keys that name a row of the table; the other keys (seeds) are averaged with their spread",
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
  executor: t.object({
    kind: t.enum(["inprocess", "local", "slurm"] as const, {
      default: "inprocess",
      doc:
        "inprocess: arms one after another in this process; local: child processes in parallel " +
        "(bounded by cores); slurm: one array job (same records either way)",
    }),
    concurrency: t.integer({ default: 0, min: 0, doc: "local: arms at once (0 = the core count)" }),
    workDir: t.string({
      default: "",
      doc: "slurm: shared folder for the job script and logs (empty = <run folder>/grid)",
    }),
    partition: t.string({ default: "", doc: "slurm: --partition (empty = the cluster default)" }),
    time: t.string({ default: "", doc: "slurm: --time per arm, e.g. 04:00:00 (empty = default)" }),
    cpusPerTask: t.integer({ default: 1, min: 1, doc: "slurm: --cpus-per-task" }),
    gpusPerTask: t.integer({ default: 0, min: 0, doc: "slurm: --gpus-per-task (0 = none)" }),
    extraSbatch: t.array(t.string(), { default: [], doc: "slurm: extra #SBATCH lines" }),
    dryRun: t.boolean({ default: false, doc: "slurm: print the job script, submit nothing" }),
  }, { doc: "where the grid's arms run" }),
  compare: t.array(t.string(), {
    default: [],
    doc:
      "two values of the first groupBy key (e.g. [capo, grpo]): report their difference paired by the other keys, with a 95% t interval",
  }),
}, { doc: "an ablation grid" });

/** A resolved ablation config. */
export type AblationConfig = Infer<typeof ABLATION_CONFIG_SCHEMA>;

/**
 * Keys of an ablation config that are not keys of a training run: drop them (`resolveCell`'s
 * `omit`) when resolving a grid cell against {@linkcode TRAIN_CONFIG_SCHEMA}.
 */
export const ABLATION_ONLY_KEYS: readonly string[] = Object.freeze([
  "grid",
  "groupBy",
  "metrics",
  "compare",
  "executor",
]);

/** `deno task sft`: the built-in policy trained from scratch on synthetic traces with planted flaws. */
export const SFT_CONFIG_SCHEMA = t.object({
  name: t.string({ default: "sft", doc: "run name in lineage" }),
  out: t.string({
    default: "data/sft",
    doc: "checkpoint folder written (model, config, lineage.json)",
  }),
  task: t.object({
    seed: t.integer({ default: 0, min: 0, doc: "seed of the synthetic task" }),
    trainSize: t.integer({ default: 20000, min: 1, doc: "training problems (one trace each)" }),
    testSize: t.integer({ default: 500, min: 1, doc: "test problems (greedy evaluation)" }),
  }, { doc: "the synthetic task" }),
  traces: t.object({
    seed: t.integer({ default: 0, min: 0, doc: "seed of the planted flaws" }),
    wrongRate: t.number({
      default: 0.05,
      min: 0,
      max: 1,
      doc: "traces with a wrong step and answer",
    }),
    luckyRate: t.number({
      default: 0.6,
      min: 0,
      max: 1,
      doc: "traces with a wrong step but the right answer (what CAPO targets)",
    }),
  }, { doc: "SFT traces" }),
  policy: t.object({
    nEmbd: t.integer({ default: 128, min: 1, doc: "embedding width" }),
    nLayer: t.integer({ default: 2, min: 1, doc: "transformer blocks" }),
    nHead: t.integer({ default: 4, min: 1, doc: "attention heads" }),
    blockSize: t.integer({ default: 128, min: 8, doc: "context length, tokens" }),
    seed: t.integer({ default: 0, min: 0, doc: "initialisation seed" }),
  }, { doc: "the built-in transformer" }),
  sft: t.object({
    steps: t.integer({ default: 1100, min: 0, doc: "optimizer steps" }),
    batchSize: t.integer({ default: 32, min: 1, doc: "traces per step" }),
    lr: t.number({ default: 2e-3, min: 0, doc: "peak learning rate (warm-up, cosine decay)" }),
    seed: t.integer({ default: 0, min: 0, doc: "seed of batch order" }),
  }, { doc: "optimisation" }),
  backend: t.enum(BACKENDS, { default: "wasm", doc: "TensorFlow.js backend" }),
}, { doc: "supervised fine-tuning" });

/** A resolved SFT config. */
export type SftConfig = Infer<typeof SFT_CONFIG_SCHEMA>;

/** A part of `deno task bench`. */
export type BenchPart = "policy" | "verify" | "critic" | "train" | "hf";

/** Parts of `deno task bench`, in the order they run (`hf` only when asked for: it takes minutes). */
export const BENCH_PARTS: readonly BenchPart[] = ["policy", "verify", "critic", "train", "hf"];

/** experiments/configs/bench.yaml: what `deno task bench` measures and on which data. */
export const BENCH_CONFIG_SCHEMA = t.object({
  name: t.string({ default: "bench", doc: "run name in lineage" }),
  parts: t.array(t.enum(BENCH_PARTS), {
    default: ["policy", "verify", "critic", "train"],
    minItems: 1,
    doc: "parts to run (CLI: --parts=policy,verify)",
  }),
  checkpoint: t.string({
    default: "data/sft",
    doc: "policy checkpoint evaluated by the policy part",
  }),
  eval: taskSectionSchema("test", 200),
  policy: t.object({
    limit: t.integer({ default: 200, min: 1, doc: "evaluation problems used" }),
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
  hf: t.object({
    backend: t.enum(["wasm", "cpu", "tensorflow", "tensorflow-gpu", "webgpu"] as const, {
      default: "wasm",
      doc: "backend measured",
    }),
    layers: t.integer({
      default: 8,
      min: 1,
      doc: "decoder layers of the ~50M-parameter Qwen2 shape",
    }),
    repeats: t.integer({ default: 2, min: 1, doc: "timed repeats (the fastest counts)" }),
    torch: t.boolean({
      default: true,
      doc: "time PyTorch on the same shapes when python3 has torch (experiments/hf_bench_torch.py)",
    }),
  }, { doc: "Hugging Face policy: forward, LoRA step, sampling, load memory, ratios to PyTorch" }),
}, { doc: "deno task bench" });

/** What `deno task bench` measures and on which data. */
export type BenchConfig = Infer<typeof BENCH_CONFIG_SCHEMA>;

/** Every experiment schema by the name its docs section uses (docs/config.md is made from these). */
export const EXPERIMENT_SCHEMAS: Readonly<Record<string, Schema<unknown>>> = Object.freeze({
  "train (deno task train)": TRAIN_CONFIG_SCHEMA,
  "demo (deno task demo)": DEMO_CONFIG_SCHEMA,
  "ablation (deno task ablate:*)": ABLATION_CONFIG_SCHEMA,
  "bench (deno task bench)": BENCH_CONFIG_SCHEMA,
  "sft (deno task sft)": SFT_CONFIG_SCHEMA,
});
