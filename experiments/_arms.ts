/**
 * Training arms for the demo and the ablation scripts: start the reference critic server for an
 * RL config, train one arm from the SFT checkpoint with lib/train's `trainRl` as a child lineage
 * run (metrics, rollout dump, critic settings, task hash), and return its before/after evaluation.
 * @module
 */
import { loadTemplate } from "../lib/critic/mod.ts";
import { generateSyntheticTask, type SyntheticTask } from "../lib/data/mod.ts";
import {
  type CriticRecord,
  criticRecord,
  type InputRecord,
  type RunHandle,
} from "../lib/lineage/mod.ts";
import { chooseBackend, loadCheckpoint, type Policy } from "../lib/model/mod.ts";
import {
  type EvalMetrics,
  evaluatePolicy,
  type RlConfig,
  type RlCritic,
  startRlCritic,
  trainRl,
} from "../lib/train/mod.ts";
import { hashJson, sha256Hex } from "../lib/util/mod.ts";
import type { TaskConfig } from "../lib/config/mod.ts";

/** The reference critic of an RL config (lib/train `startRlCritic`) plus its lineage section. */
export interface ReferenceCritic {
  critic: RlCritic;
  /** The lineage critic section (endpoint, model, template hash, k, vote rule, noise). */
  record: CriticRecord;
  close(): Promise<void>;
}

/**
 * Starts the reference critic server with the config's noise (seeded by `rl.seed`) and a client
 * with its k and vote rule — the critic `trainRl` would start itself, but visible to the experiment
 * so that lineage records it and arms with the same seed share it.
 */
export async function startCritic(rl: Readonly<RlConfig>, latencyMs = 0): Promise<ReferenceCritic> {
  const critic = await startRlCritic(rl, { latencyMs });
  const c = critic.config;
  const template = await loadTemplate(c.template);
  const record = await criticRecord(c, {
    endpointKind: "reference",
    templateSha256: template.sha256,
    extra: {
      template: c.template,
      m: c.voteM,
      false_flag_rate: rl.critic.falseFlagRate,
      missed_flag_rate: rl.critic.missedFlagRate,
      noise_seed: rl.seed,
      latency_ms: latencyMs,
    },
  });
  return { critic, record, close: () => critic.close() };
}

/** The synthetic task and its lineage input records. */
export async function makeTask(
  task: TaskConfig,
): Promise<{ task: SyntheticTask; inputs: InputRecord[] }> {
  const generated = generateSyntheticTask(task);
  const inputs: InputRecord[] = [];
  for (const split of ["train", "test"] as const) {
    inputs.push({
      name: "synthetic",
      location: `generateSyntheticTask(${JSON.stringify(task)})`,
      sha256: await hashJson(generated[split].map((p) => [p.question, p.answer])),
      rows: generated[split].length,
      split,
    });
  }
  return { task: generated, inputs };
}

/**
 * The starting checkpoint as a lineage input: the sha256 of its weights file, so a record says
 * exactly which SFT policy an arm started from.
 */
export async function checkpointInput(dir: string): Promise<InputRecord> {
  const weights = await Deno.readFile(`${dir}/model.safetensors`);
  return {
    name: "sft-checkpoint",
    location: `${dir}/model.safetensors`,
    sha256: await sha256Hex(weights),
    rows: 1,
  };
}

/** Evaluation metrics in lineage form (snake_case). */
export function evalSummary(m: EvalMetrics | undefined): Record<string, number> | null {
  return m
    ? {
      accuracy: m.accuracy,
      process_accuracy: m.processAccuracy,
      lucky_rate: m.luckyRate,
      mean_length: m.meanLength,
      count: m.count,
    }
    : null;
}

/** Settings of the sampled evaluation (the `sampledEval:` config section). */
export interface SampledEval {
  samples: number;
  temperature: number;
  seed: number;
}

/**
 * Sampled evaluation of a policy on the test split (`samples` responses per problem): answer
 * accuracy, process accuracy and lucky rate over all responses. Null when `samples` is 0.
 */
export async function sampledEvaluation(
  policy: Policy,
  test: SyntheticTask["test"],
  rl: Readonly<RlConfig>,
  settings: SampledEval,
): Promise<Record<string, number> | null> {
  if (settings.samples <= 0) return null;
  const { metrics } = await evaluatePolicy(policy, test, {
    limit: rl.evalSize,
    maxNewTokens: rl.maxNewTokens,
    temperature: settings.temperature,
    samples: settings.samples,
    seed: settings.seed,
  });
  return evalSummary(metrics);
}

/** Sampled evaluation of a checkpoint before training (shared by the arms that start from it). */
export async function sampledEvaluationOf(
  checkpoint: string,
  test: SyntheticTask["test"],
  rl: Readonly<RlConfig>,
  settings: SampledEval,
): Promise<Record<string, number> | null> {
  if (settings.samples <= 0) return null;
  await chooseBackend(rl.backend);
  const policy = await loadCheckpoint(checkpoint);
  try {
    return await sampledEvaluation(policy, test, rl, settings);
  } finally {
    policy.dispose();
  }
}

/** Options for {@linkcode trainArm}. */
export interface TrainArmOptions {
  /** Child run name ("capo", "wProcess=2"). */
  name: string;
  /** The arm's resolved config (recorded); must hold `checkpoint`, `task` and `rl`. */
  config:
    & { checkpoint: string; task: TaskConfig; rl: Readonly<RlConfig> }
    & Record<string, unknown>;
  task: SyntheticTask;
  inputs: InputRecord[];
  critic: ReferenceCritic;
  /** Progress lines. */
  progress: (line: string) => void;
  /** Write every rollout to rollouts.jsonl in the child run folder. @default true */
  dumpRollouts?: boolean;
  /** Grid values of an ablation cell (recorded in the summary). @default {} */
  values?: Record<string, unknown>;
  /** Sampled evaluation after training; samples 0 = off. @default off */
  sampledEval?: SampledEval;
  /** The sampled evaluation of the checkpoint before training, to record beside it. @default null */
  sampledBefore?: Record<string, number> | null;
}

/** What one arm produced. */
export interface ArmOutcome {
  name: string;
  runId: string;
  recordPath: string;
  before: Record<string, number> | null;
  after: Record<string, number> | null;
  /** Sampled evaluation before / after, when enabled. */
  sampledBefore: Record<string, number> | null;
  sampled: Record<string, number> | null;
  seconds: number;
}

/**
 * Trains one arm from the SFT checkpoint as a child run of `parent`.
 *
 * @param parent The experiment's run.
 * @param options See {@linkcode TrainArmOptions}.
 * @returns Before/after metrics and the child record.
 */
export async function trainArm(parent: RunHandle, options: TrainArmOptions): Promise<ArmOutcome> {
  const { name, config, task, inputs, critic, progress, dumpRollouts = true, values = {} } =
    options;
  const { sampledEval = { samples: 0, temperature: 1, seed: 0 }, sampledBefore = null } = options;
  const backend = await chooseBackend(config.rl.backend);
  const child = await parent.child({
    name,
    kind: "arm",
    config,
    inputs,
    seeds: { task: config.task.seed, rl: config.rl.seed, critic_noise: config.rl.seed },
    backend,
    critic: critic.record,
  });
  const policy = await loadCheckpoint(config.checkpoint);
  try {
    const rollouts = `${child.dir}/rollouts.jsonl`;
    const result = await trainRl(config.rl, {
      policy,
      train: task.train,
      test: task.test,
      critic: critic.critic.critique,
    }, {
      onMetrics: (step, metrics) => child.logMetrics(step, metrics),
      onProgress: (line) => progress(`${name}: ${line}`),
      onRollouts: dumpRollouts
        ? (_step, rows) =>
          Deno.writeTextFile(rollouts, rows.map((r) => JSON.stringify(r)).join("\n") + "\n", {
            append: true,
          })
        : undefined,
    });
    if (dumpRollouts) await child.addArtifact(rollouts, "rollouts");
    if (sampledEval.samples > 0) {
      progress(`${name}: sampled evaluation (${sampledEval.samples} per problem)`);
    }
    const sampled = await sampledEvaluation(policy, task.test, config.rl, sampledEval);
    const summary = {
      ...evalSummary(result.after),
      before: evalSummary(result.before),
      ...(sampled ? { sampled, sampled_before: sampledBefore } : {}),
      ...(Object.keys(values).length ? { values } : {}),
      iterations: result.iterations,
      backend: result.backend,
      seconds: result.wallMs / 1000,
    };
    await child.finish(summary);
    return {
      name,
      runId: child.id,
      recordPath: child.recordPath,
      before: evalSummary(result.before),
      after: evalSummary(result.after),
      sampledBefore,
      sampled,
      seconds: result.wallMs / 1000,
    };
  } catch (error) {
    await child.fail(error);
    throw error;
  } finally {
    policy.dispose();
  }
}
