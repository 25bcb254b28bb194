/**
 * The SFT runner: a resolved `SFT_CONFIG_SCHEMA` config → synthetic traces with planted flaws →
 * the built-in transformer trained from scratch → greedy evaluation on the test split → the
 * checkpoint folder (model, config, lineage.json) and a lineage record. `deno task sft` calls it.
 * @module
 */
import type { SftConfig } from "../config/experiments.ts";
import { generateSftTraces, generateSyntheticTask, syntheticTasks } from "../data/mod.ts";
import { defaultRunsDir, startRun } from "../lineage/mod.ts";
import {
  CharTokenizer,
  chooseBackend,
  createPolicy,
  DEFAULT_POLICY_CONFIG,
  saveCheckpoint,
} from "../model/mod.ts";
import { evaluatePolicy, trainSft } from "../train/mod.ts";
import { hashJson, writeFileAtomic } from "../util/mod.ts";

/** Options for {@linkcode runSft}. */
export interface RunSftOptions {
  /** Runs folder. @default $CAPO_RUNS_DIR or "runs" */
  runsDir?: string;
  /** Progress lines. @default none */
  progress?: (line: string) => void;
}

/**
 * Trains, evaluates and saves an SFT checkpoint, recording the run.
 *
 * @param config A resolved SFT config.
 * @param options See {@linkcode RunSftOptions}.
 * @returns The summary and the record path.
 * @throws {Error} What training throws; the record is marked failed first.
 * @example
 * ```ts
 * const config = resolveSchema(SFT_CONFIG_SCHEMA, { out: "/tmp/sft", sft: { steps: 10 } });
 * const { summary } = await runSft(config);
 * ```
 */
export async function runSft(
  config: SftConfig,
  options: RunSftOptions = {},
): Promise<{ summary: Record<string, unknown>; recordPath: string }> {
  const { runsDir = defaultRunsDir(), progress = () => {} } = options;
  const backend = await chooseBackend(config.backend);
  const task = generateSyntheticTask({ ...config.task, validSize: 0 });
  const traces = generateSftTraces(task.train, config.traces);
  const dataSha = await hashJson(traces.map((t) => [t.problem.question, t.response, t.kind]));
  const testSha = await hashJson(task.test.map((p) => p.question));
  const seeds = { task: config.task.seed, traces: config.traces.seed, policy: config.policy.seed };
  const run = await startRun({
    runsDir,
    name: config.name,
    kind: "sft",
    task: "sft",
    config,
    seeds,
    backend,
    inputs: [
      { name: "synthetic-sft-traces", location: "generated", sha256: dataSha, rows: traces.length },
      { name: "synthetic", location: "generated", sha256: testSha, rows: task.test.length },
    ],
  });
  try {
    const tokenizer = new CharTokenizer();
    const policy = createPolicy({
      ...DEFAULT_POLICY_CONFIG,
      ...config.policy,
      vocabSize: tokenizer.vocabSize,
    });
    const result = await trainSft(policy, traces, { ...config.sft, tokenizer }, {
      onMetrics: (step, m) => run.logMetrics(step, m),
      onProgress: progress,
    });
    const test = syntheticTasks(task.test);
    const { metrics } = await evaluatePolicy(policy, test.tasks, {
      tokenizer,
      judgeSteps: test.judgeSteps,
    });
    const summary = {
      accuracy: metrics.accuracy,
      process_accuracy: metrics.processAccuracy,
      lucky_rate: metrics.luckyRate,
      mean_length: metrics.meanLength,
      test_size: metrics.count,
      final_loss: result.finalLoss,
      seconds: result.wallMs / 1000,
    };
    const { files } = await saveCheckpoint(policy, config.out, { kind: "sft", runId: run.id });
    policy.dispose();
    const lineage = {
      run_id: run.id,
      config,
      seeds,
      data: { train_traces_sha256: dataSha, test_questions_sha256: testSha, rows: traces.length },
      backend,
      eval: { split: "test", decoding: "greedy", problems: metrics.count },
      summary,
      files: files.map((f) => ({ ...f, path: f.path.split("/").at(-1) })),
    };
    await writeFileAtomic(`${config.out}/lineage.json`, JSON.stringify(lineage, null, 2) + "\n");
    await run.addArtifact(config.out, "checkpoint");
    await run.finish(summary);
    return { summary, recordPath: run.recordPath };
  } catch (error) {
    await run.fail(error);
    throw error;
  }
}
