/**
 * The one runner: a resolved training config → tasks, policy and critic → RL training and
 * evaluation of one arm → its lineage record. Every entry point (`deno task train`, the demo, the
 * ablations, the training notebook) calls `runArm`; it alone decides what an arm's record holds.
 * @module
 */
import type { TrainConfig } from "../config/experiments.ts";
import { type CriticLineage, openCritic, type OpenedCritic } from "../critic/mod.ts";
import { loadTaskSet, type TaskSet } from "../data/mod.ts";
import {
  createEventWriter,
  createRolloutWriter,
  type CriticRecord,
  defaultRunsDir,
  type EventWriter,
  type InputRecord,
  installInterruptHandlers,
  resumeSource,
  type RunHandle,
  startRun,
} from "../lineage/mod.ts";
import { chooseBackend } from "../model/mod.ts";
import { exportPolicy, type OpenedPolicy, openPolicy, policyInputs } from "./policy.ts";
import {
  type EvalMetrics,
  type EvalResponse,
  evaluatePolicy,
  type RlResult,
  trainRl,
} from "../train/mod.ts";

/** Options for {@linkcode runArm}. */
export interface RunArmOptions {
  /** Runs folder (ignored with `parent`). @default $CAPO_RUNS_DIR or "runs" */
  runsDir?: string;
  /** Record the arm as a child of this run (demo, ablation). @default a top-level run */
  parent?: RunHandle;
  /** Parent run id for an arm run in its own process (grids on Slurm or local processes). */
  parentId?: string;
  /** Lineage kind. @default "train" (or "arm" under a parent) */
  kind?: string;
  /** The task recorded for a top-level run (what `deno task reproduce` re-runs). @default "train" */
  task?: string;
  /** Progress lines. @default none */
  progress?: (line: string) => void;
  /** An open critic shared by several arms. @default one opened from `config.critic` and closed */
  critic?: OpenedCritic;
  /** Tasks already loaded (arms of one experiment share them). @default loaded from the config */
  tasks?: { train: TaskSet; eval: TaskSet };
  /** The start policy's sampled evaluation, when already measured. @default measured here */
  sampledBefore?: Record<string, number | null> | null;
  /** Grid values of an ablation cell, recorded in the summary. @default none */
  values?: Record<string, unknown>;
  /** Dump every rollout to `rollouts.jsonl`. @default true */
  dumpRollouts?: boolean;
  /** Run folder of an interrupted run: its checkpoints are copied in and training continues. */
  resumeFrom?: string;
  /** Stop after this iteration, as if interrupted (tests). @default the config's iterations */
  stopAfter?: number;
}

/** What one arm produced. */
export interface ArmResult {
  name: string;
  runId: string;
  dir: string;
  recordPath: string;
  /** Greedy evaluation before / after training (lineage form). */
  before: Record<string, number | null> | null;
  after: Record<string, number | null> | null;
  /** Sampled evaluation before / after, when `sampledEval.samples` > 0. */
  sampledBefore: Record<string, number | null> | null;
  sampled: Record<string, number | null> | null;
  /** The record's summary. */
  summary: Record<string, unknown>;
  /**
   * Per evaluation problem (in order), after training: right answer (1/0), and — where the task has
   * a step labeller — clean (right and every step correct) and lucky; sampled values are means over
   * the samples. For paired statistics between arms.
   */
  perProblem: {
    greedy?: Record<"accuracy" | "process_accuracy" | "lucky_rate", number[]>;
    sampled?: Record<"accuracy" | "process_accuracy" | "lucky_rate", number[]>;
  };
  seconds: number;
}

/**
 * Evaluation metrics in lineage form (snake_case; absent process metrics are `null`).
 *
 * @param m Metrics of `evaluatePolicy`.
 * @returns The record form, or null without metrics.
 * @example
 * ```ts
 * evalSummary({ accuracy: 0.5, processAccuracy: null, luckyRate: null, meanLength: 20, count: 4 });
 * ```
 */
export function evalSummary(m: EvalMetrics | undefined): Record<string, number | null> | null {
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

/**
 * The sampled evaluation of a policy (`sampledEval.samples` responses per problem), or null when off.
 *
 * @param opened The policy (`openPolicy`).
 * @param config The run config (its `sampledEval` and `rl.maxNewTokens`).
 * @param evalSet The evaluation tasks.
 * @returns Lineage-form metrics, or null.
 * @example
 * ```ts
 * const sampled = await sampledEvaluation(opened, config, evalSet);
 * ```
 */
export async function sampledEvaluation(
  opened: OpenedPolicy,
  config: Pick<TrainConfig, "sampledEval" | "rl">,
  evalSet: TaskSet,
): Promise<Record<string, number | null> | null> {
  return (await sampledResponses(opened, config, evalSet))?.summary ?? null;
}

/**
 * The sampled evaluation of the start policy a config names (opened, evaluated, closed): what an
 * experiment measures once and shares between arms that start from the same policy.
 *
 * @param config The run config.
 * @param evalSet The evaluation tasks.
 * @returns Lineage-form metrics, or null when `sampledEval.samples` is 0.
 * @example
 * ```ts
 * const before = await startPolicySampledEvaluation(config, (await loadRunTasks(config)).eval);
 * ```
 */
export async function startPolicySampledEvaluation(
  config: Pick<TrainConfig, "sampledEval" | "rl" | "policy">,
  evalSet: TaskSet,
): Promise<Record<string, number | null> | null> {
  if (config.sampledEval.samples <= 0) return null;
  await chooseBackend(config.rl.backend);
  const opened = await openPolicy(config.policy);
  try {
    return await sampledEvaluation(opened, config, evalSet);
  } finally {
    opened.policy.dispose();
  }
}

async function sampledResponses(
  opened: OpenedPolicy,
  config: Pick<TrainConfig, "sampledEval" | "rl">,
  evalSet: TaskSet,
) {
  const { samples, temperature, seed } = config.sampledEval;
  if (samples <= 0) return null;
  const { metrics, responses } = await evaluatePolicy(opened.policy, evalSet.tasks, {
    tokenizer: opened.tokenizer,
    chat: opened.chat,
    maxNewTokens: config.rl.maxNewTokens,
    temperature,
    samples,
    seed,
    judgeSteps: evalSet.judgeSteps,
    verify: config.rl.verify,
  });
  return { summary: evalSummary(metrics), perProblem: perProblem(responses, samples) };
}

/** Per-problem outcomes of an evaluation (`samples` consecutive responses per problem, averaged). */
function perProblem(responses: readonly EvalResponse[], samples: number) {
  const out = {
    accuracy: [] as number[],
    process_accuracy: [] as number[],
    lucky_rate: [] as number[],
  };
  const judged = responses.every((r) => r.processCorrect !== null);
  for (let i = 0; i < responses.length; i += samples) {
    const group = responses.slice(i, i + samples);
    const mean = (f: (r: EvalResponse) => boolean) => group.filter(f).length / group.length;
    out.accuracy.push(mean((r) => r.answerCorrect));
    if (judged) {
      out.process_accuracy.push(mean((r) => r.processCorrect === true));
      out.lucky_rate.push(mean((r) => r.answerCorrect && r.processCorrect === false));
    }
  }
  return out;
}

/**
 * Loads the train and eval task sets of a config.
 *
 * @param config The run config.
 * @returns Both sets with their lineage inputs.
 * @example
 * ```ts
 * const tasks = await loadRunTasks(config);
 * console.log(tasks.train.input.sha256);
 * ```
 */
export async function loadRunTasks(
  config: Pick<TrainConfig, "task" | "eval">,
): Promise<{ train: TaskSet; eval: TaskSet }> {
  return { train: await loadTaskSet(config.task), eval: await loadTaskSet(config.eval) };
}

/** The critic's own description in lineage form (snake_case, like the rest of the record). */
function criticLineage(info: CriticLineage): CriticRecord {
  const { source, ...rest } = snakeKeys(info) as Record<string, unknown> & { source: string };
  return {
    ...rest,
    endpoint_kind: source === "reference" ? "reference" : "openai-compatible",
    model: info.model,
    k: info.k,
    vote_rule: info.voteRule,
    temperature: info.temperature,
  };
}

/** Snake-cases the keys of a plain record (lineage is snake_case throughout). */
function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (!value || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map((
      [k, v],
    ) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snakeKeys(v)]),
  );
}

/**
 * What credit an arm actually received: `capo` when every response got critic credit, `capo
 * (partial)` when some fell back to outcome reward, `outcome-only` when none got any.
 */
function creditSummary(config: TrainConfig, result: RlResult): Record<string, unknown> {
  const totals = result.critic;
  const responses = totals.responses ?? 0;
  const fallbacks = totals.fallbacks ?? 0;
  const usesCritic = responses > 0;
  const rate = usesCritic ? fallbacks / responses : 0;
  const label = !usesCritic
    ? config.rl.estimator
    : fallbacks === 0
    ? config.rl.estimator
    : fallbacks === responses
    ? "outcome-only (the critic gave no credit)"
    : `${config.rl.estimator} (partial: ${
      (100 * rate).toFixed(1)
    }% of responses fell back to outcome reward)`;
  return { credit: label, critic: { ...totals, fallback_rate: rate } };
}

/**
 * Trains and evaluates one arm and records it: tasks, policy and critic from the config, RL
 * training (`trainRl`), greedy and sampled evaluations before and after, metrics, rollouts,
 * checkpoints, critic settings and counters, and a summary.
 *
 * @param config A resolved training config (`TRAIN_CONFIG_SCHEMA`).
 * @param options See {@linkcode RunArmOptions}.
 * @returns The arm's evaluations and record.
 * @throws {Error} What training throws; the record is marked failed first.
 * @example
 * ```ts
 * const config = parseConfig("rl: {iterations: 2}", TRAIN_CONFIG_SCHEMA, { file: "inline" });
 * const result = await runArm(config, { runsDir: "/tmp/runs", progress: console.error });
 * console.log(result.after?.accuracy, result.recordPath);
 * ```
 */
export async function runArm(config: TrainConfig, options: RunArmOptions = {}): Promise<ArmResult> {
  const { parent, progress = () => {}, values, dumpRollouts = true, resumeFrom, stopAfter } =
    options;
  const started = performance.now();
  const backend = await chooseBackend(config.rl.backend);
  const tasks = options.tasks ?? await loadRunTasks(config);
  const inputs = [tasks.train.input, tasks.eval.input, ...await policyInputs(config.policy)];
  const seeds = { task: config.task.seed, rl: config.rl.seed, critic: config.rl.seed };
  const common = { name: config.name, config, inputs, seeds, backend };
  const resumed = resumeFrom
    ? await resumeSource(dirname(resumeFrom), resumeFrom.split("/").at(-1) ?? resumeFrom)
    : undefined;
  // An hf checkpoint holds only what trains: the frozen weights must be the ones the run started from.
  const policyHashes = (list: readonly InputRecord[]) =>
    list.filter((i) => i.name === "policy").map((i) => i.sha256).sort().join();
  if (
    resumed && config.policy.kind === "hf" &&
    policyHashes(resumed.inputs) !== policyHashes(inputs)
  ) {
    throw new Error(
      `Cannot resume run ${resumed.id}: the files of policy.path ${config.policy.path} differ from those it started from (by sha256); restore them or start a new run`,
    );
  }
  const run = parent
    ? await parent.child({ ...common, kind: options.kind ?? "arm", handleUnhandled: false })
    : await startRun({
      ...common,
      runsDir: options.runsDir ?? defaultRunsDir(),
      kind: options.kind ?? "train",
      task: options.task ?? "train",
      ...(resumed
        ? { resumedFrom: resumed.id }
        : options.parentId
        ? { parentId: options.parentId }
        : {}),
    });
  let critic: OpenedCritic | undefined = options.critic;
  let opened: OpenedPolicy | undefined;
  let board: EventWriter | undefined;
  if (!parent) {
    installInterruptHandlers(run, {
      onInterrupt: async () => {
        if (!options.critic) await critic?.close();
      },
    });
  }
  try {
    // Opened inside the try: a critic or policy that cannot open marks the record failed.
    critic ??= await openCritic(config.critic, { seed: config.rl.seed });
    opened = await openPolicy(config.policy);
    const { policy } = opened;
    board = await createEventWriter(`${run.dir}/tb`);
    const tb = board;
    await run.update({ critic: criticLineage(await critic.record()) });
    const checkpointDir = config.rl.checkpointEvery > 0 ? `${run.dir}/checkpoints` : undefined;
    if (resumed && checkpointDir) await copyFolder(resumed.checkpoint, checkpointDir);
    if (checkpointDir) {
      // The record names the checkpoint folder before training, not only after each save: a process
      // killed between the trainer's save and the record's update stays resumable (the trainer
      // resumes from the newest complete checkpoint in the folder, or starts over when there is none).
      await Deno.mkdir(checkpointDir, { recursive: true });
      await run.progress({ iteration: resumed?.iteration ?? 0, checkpoint: checkpointDir });
    }
    const sampledBefore = options.sampledBefore !== undefined
      ? options.sampledBefore
      : await sampledEvaluation(opened, config, tasks.eval);
    const dump = dumpRollouts
      ? await createRolloutWriter(`${run.dir}/rollouts.jsonl.gz`)
      : undefined;
    const result = await trainRl(config.rl, {
      policy,
      tokenizer: opened.tokenizer,
      chat: opened.chat,
      train: tasks.train.tasks,
      test: tasks.eval.tasks,
      judgeSteps: (task, response) =>
        tasks.train.judgeSteps?.(task, response) ?? tasks.eval.judgeSteps?.(task, response),
      critic: critic.critique,
      checkpointDir,
      stopAfter,
    }, {
      onMetrics: async (step, m) => {
        await run.logMetrics(step, m);
        await tb.scalars(m, step);
      },
      onRollouts: dump?.write,
      onCheckpoint: (iteration) => run.progress({ iteration, checkpoint: checkpointDir }),
      onProgress: (line) => progress(`${config.name}: ${line}`),
    });
    if (dump) await run.addArtifact(dump.path, "rollouts");
    await run.addArtifact(board.path, "tensorboard");
    if (checkpointDir && result.iterations > 0) await run.addArtifact(checkpointDir, "checkpoints");
    const done = result.iterations === config.rl.iterations;
    if (done && config.sampledEval.samples > 0) {
      progress(`${config.name}: sampled evaluation (${config.sampledEval.samples} per problem)`);
    }
    const sampledRun = done ? await sampledResponses(opened, config, tasks.eval) : null;
    for (const { path, kind } of done ? await exportPolicy(opened, config.policy, run.dir) : []) {
      await run.addArtifact(path, kind);
    }
    const sampled = sampledRun?.summary ?? null;
    const after = evalSummary(result.after);
    const summary: Record<string, unknown> = {
      ...after,
      before: evalSummary(result.before),
      ...(sampled ? { sampled, sampled_before: sampledBefore } : {}),
      ...(values ? { values } : {}),
      estimator: config.rl.estimator,
      ...(dump
        ? { rollouts: { rows: dump.rows, dropped: dump.droppedRows, bytes: dump.bytes } }
        : {}),
      ...creditSummary(config, result),
      iterations: result.iterations,
      resumed_from: result.resumedFrom,
      backend: result.backend,
      seconds: (performance.now() - started) / 1000,
    };
    await run.finish(summary);
    return {
      name: config.name,
      runId: run.id,
      dir: run.dir,
      recordPath: run.recordPath,
      before: evalSummary(result.before),
      after,
      sampledBefore,
      sampled,
      summary,
      perProblem: {
        ...(result.afterResponses ? { greedy: perProblem(result.afterResponses, 1) } : {}),
        ...(sampledRun ? { sampled: sampledRun.perProblem } : {}),
      },
      seconds: (performance.now() - started) / 1000,
    };
  } catch (error) {
    await run.fail(error);
    throw error;
  } finally {
    board?.close();
    opened?.policy.dispose();
    if (!options.critic) await critic?.close();
  }
}

function dirname(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  const slash = trimmed.lastIndexOf("/");
  return slash > 0 ? trimmed.slice(0, slash) : ".";
}

async function copyFolder(from: string, to: string): Promise<void> {
  const stat = await Deno.stat(from).catch(() => undefined);
  if (!stat?.isDirectory) {
    throw new Error(
      `Cannot resume: expected checkpoints in ${from}, got none (was checkpointEvery 0?)`,
    );
  }
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if (entry.isDirectory) await copyFolder(`${from}/${entry.name}`, `${to}/${entry.name}`);
    else if (entry.isFile) await Deno.copyFile(`${from}/${entry.name}`, `${to}/${entry.name}`);
  }
}
