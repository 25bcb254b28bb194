/**
 * `deno task sft`: trains the policy from scratch on synthetic SFT traces with planted flaws,
 * evaluates it greedily on the test split, and writes the checkpoint (model.safetensors +
 * config.json) plus `lineage.json` (config, seeds, data hash, accuracy, process accuracy, lucky
 * rate, wall time) to `--out`, with a lineage run record whose path is the last line printed.
 * @module
 */
import { parseArgs } from "node:util";
import { generateSftTraces, generateSyntheticTask, syntheticTasks } from "../data/mod.ts";
import { defaultRunsDir, startRun } from "../lineage/mod.ts";
import {
  type BackendName,
  CharTokenizer,
  chooseBackend,
  createPolicy,
  DEFAULT_POLICY_CONFIG,
  saveCheckpoint,
} from "../model/mod.ts";
import { evaluatePolicy, trainSft } from "../train/mod.ts";
import { hashJson, writeFileAtomic } from "../util/mod.ts";

const USAGE = `Usage: deno task sft [--out data/sft] [--steps 1100] [--batch-size 32] [--lr 2e-3]
  [--n-embd 128] [--n-layer 2] [--n-head 4] [--block-size 128] [--seed 0] [--task-seed 0]
  [--train-size 20000] [--test-size 500] [--wrong-rate 0.05] [--lucky-rate 0.6]
  [--backend wasm] [--runs-dir runs]`;

function parseFlags(args: string[]) {
  return parseArgs({
    args,
    options: {
      out: { type: "string", default: "data/sft" },
      steps: { type: "string", default: "1100" },
      "batch-size": { type: "string", default: "32" },
      lr: { type: "string", default: "2e-3" },
      "n-embd": { type: "string", default: String(DEFAULT_POLICY_CONFIG.nEmbd) },
      "n-layer": { type: "string", default: String(DEFAULT_POLICY_CONFIG.nLayer) },
      "n-head": { type: "string", default: String(DEFAULT_POLICY_CONFIG.nHead) },
      "block-size": { type: "string", default: String(DEFAULT_POLICY_CONFIG.blockSize) },
      seed: { type: "string", default: "0" },
      "task-seed": { type: "string", default: "0" },
      "train-size": { type: "string", default: "20000" },
      "test-size": { type: "string", default: "500" },
      "wrong-rate": { type: "string", default: "0.05" },
      "lucky-rate": { type: "string", default: "0.6" },
      backend: { type: "string", default: "wasm" },
      "runs-dir": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  }).values;
}

if (import.meta.main) {
  let v: ReturnType<typeof parseFlags>;
  try {
    v = parseFlags(Deno.args);
  } catch (error) {
    console.error(`${(error as Error).message} (see: deno task sft --help)`);
    Deno.exit(2);
  }
  if (v.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  const num = (key: keyof typeof v) => {
    const x = Number(v[key]);
    if (!Number.isFinite(x)) {
      console.error(
        `Cannot parse --${key}: expected a number, got "${v[key]}" (see: deno task sft --help)`,
      );
      Deno.exit(2);
    }
    return x;
  };
  const config = {
    task: {
      seed: num("task-seed"),
      trainSize: num("train-size"),
      validSize: 0,
      testSize: num("test-size"),
    },
    traces: { seed: num("seed"), wrongRate: num("wrong-rate"), luckyRate: num("lucky-rate") },
    policy: {
      ...DEFAULT_POLICY_CONFIG,
      nEmbd: num("n-embd"),
      nLayer: num("n-layer"),
      nHead: num("n-head"),
      blockSize: num("block-size"),
      seed: num("seed"),
    },
    sft: { steps: num("steps"), batchSize: num("batch-size"), lr: num("lr"), seed: num("seed") },
    backend: String(v.backend) as BackendName,
  };
  const backend = await chooseBackend(config.backend);
  const task = generateSyntheticTask(config.task);
  const traces = generateSftTraces(task.train, config.traces);
  const dataSha = await hashJson(traces.map((t) => [t.problem.question, t.response, t.kind]));
  const testSha = await hashJson(task.test.map((p) => p.question));
  const run = await startRun({
    runsDir: v["runs-dir"] ?? defaultRunsDir(),
    name: "sft",
    kind: "sft",
    config,
    task: "sft",
    seeds: { task: config.task.seed, traces: config.traces.seed, policy: config.policy.seed },
    backend,
    inputs: [
      {
        name: "synthetic-sft-traces",
        location: "generated",
        sha256: dataSha,
        rows: traces.length,
        split: "train",
      },
      {
        name: "synthetic",
        location: "generated",
        sha256: testSha,
        rows: task.test.length,
        split: "test",
      },
    ],
  });
  try {
    const tokenizer = new CharTokenizer();
    const policy = createPolicy({ ...config.policy, vocabSize: tokenizer.vocabSize });
    const result = await trainSft(policy, traces, { ...config.sft, tokenizer }, {
      onMetrics: (step, m) => run.logMetrics(step, m),
      onProgress: (line) => console.error(line),
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
      wall_seconds: result.wallMs / 1000,
    };
    const { files } = await saveCheckpoint(policy, String(v.out), { kind: "sft", runId: run.id });
    const lineage = {
      run_id: run.id,
      command: ["deno", "task", "sft", ...Deno.args],
      config,
      seeds: { task: config.task.seed, traces: config.traces.seed, policy: config.policy.seed },
      data: { train_traces_sha256: dataSha, test_questions_sha256: testSha, rows: traces.length },
      backend,
      eval: { split: "test", decoding: "greedy", problems: metrics.count },
      summary,
      files: files.map((f) => ({ ...f, path: f.path.split("/").at(-1) })),
    };
    await writeFileAtomic(`${v.out}/lineage.json`, JSON.stringify(lineage, null, 2) + "\n");
    await run.addArtifact(String(v.out), "checkpoint");
    await run.finish(summary);
    console.log(JSON.stringify(summary));
  } catch (error) {
    await run.fail(error);
    throw error;
  }
  console.log(run.recordPath);
}
