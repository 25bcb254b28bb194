/**
 * `deno task train [--config experiments/configs/X.yaml] [--rl.key=value ...]`: one RL run from an
 * SFT checkpoint on the synthetic task, with the reference critic server, a lineage record (metrics,
 * rollout dump, checkpoints) whose path is the last line printed. `--resume runs/<id>` (or its
 * run.json) continues a killed run from its last checkpoint (same config) into a new record whose
 * parent is the old one.
 * @module
 */
import { parseArgs } from "node:util";
import {
  parseConfig,
  splitOverrides,
  TRAIN_CONFIG_SCHEMA,
  type TrainConfig,
} from "../config/mod.ts";
import { generateSyntheticTask } from "../data/mod.ts";
import { criticRecord, defaultRunsDir, startRun } from "../lineage/mod.ts";
import { chooseBackend, loadCheckpoint } from "../model/mod.ts";
import { createJsonlDump, startRlCritic, trainRl } from "../train/mod.ts";
import { hashJson } from "../util/mod.ts";

const USAGE =
  `Usage: deno task train [--config experiments/configs/X.yaml] [--rl.estimator=grpo ...]
  [--checkpoint=data/sft] [--resume runs/<id>] [--runs-dir runs]
Without --config the defaults apply (RL_PRESETS.demo, task seed 0, data/sft).`;

if (import.meta.main) {
  let config: TrainConfig;
  let flags: { config?: string; resume?: string; "runs-dir"?: string; help?: boolean };
  try {
    const keys = Object.keys(TRAIN_CONFIG_SCHEMA.fields ?? {});
    const { overrides, rest } = splitOverrides(Deno.args, keys);
    flags = parseArgs({
      args: rest,
      options: {
        config: { type: "string" },
        resume: { type: "string" },
        "runs-dir": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    }).values;
    if (flags.help) {
      console.log(USAGE);
      Deno.exit(0);
    }
    const text = flags.config ? await Deno.readTextFile(flags.config) : "{}";
    config = parseConfig(text, TRAIN_CONFIG_SCHEMA, {
      file: flags.config ?? "<defaults>",
      overrides,
    });
    if (flags.resume) {
      // A mistyped folder would otherwise train from scratch under a "parent" that never existed.
      flags.resume = flags.resume.replace(/\/+$/, "").replace(/\/run\.json$/, "");
      if (!(await Deno.stat(`${flags.resume}/run.json`).catch(() => undefined))?.isFile) {
        throw new Error(
          `Cannot resume from ${flags.resume}: expected a run folder holding run.json, got none`,
        );
      }
    }
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    Deno.exit(2);
  }
  const rl = config.rl;
  const backend = await chooseBackend(rl.backend);
  const task = generateSyntheticTask({ ...config.task });
  const parentId = flags.resume?.split("/").at(-1);
  const run = await startRun({
    runsDir: flags["runs-dir"] ?? defaultRunsDir(),
    name: config.name,
    kind: "train",
    config,
    parentId,
    command: ["deno", "task", "train", ...Deno.args],
    seeds: { task: config.task.seed, rl: rl.seed },
    backend,
    inputs: [
      {
        name: "synthetic",
        location: "generated",
        sha256: await hashJson(task.train.map((p) => p.question)),
        rows: task.train.length,
        split: "train",
      },
      {
        name: "synthetic",
        location: "generated",
        sha256: await hashJson(task.test.map((p) => p.question)),
        rows: task.test.length,
        split: "test",
      },
    ],
  });
  const critic = await startRlCritic(rl, { latencyMs: config.criticLatencyMs });
  try {
    await run.update({
      critic: await criticRecord({ ...critic.config }, {
        endpointKind: "reference",
        extra: {
          falseFlagRate: rl.critic.falseFlagRate,
          missedFlagRate: rl.critic.missedFlagRate,
          latencyMs: config.criticLatencyMs,
        },
      }),
    });
    await run.addArtifact(`${config.checkpoint}/model.safetensors`, "start-checkpoint");
    const policy = await loadCheckpoint(config.checkpoint);
    const checkpointDir = flags.resume ? `${flags.resume}/checkpoints` : `${run.dir}/checkpoints`;
    const dump = await createJsonlDump(`${run.dir}/rollouts.jsonl`);
    const result = await trainRl(rl, {
      policy,
      train: task.train,
      test: task.test,
      critic: critic.critique,
      checkpointDir,
    }, {
      onMetrics: (step, m) => run.logMetrics(step, m),
      onRollouts: dump.write,
      onProgress: (line) => console.error(line),
    });
    await run.addArtifact(dump.path, "rollouts");
    await run.addArtifact(checkpointDir, "checkpoints");
    const summary = {
      iterations: result.iterations,
      resumed_from: result.resumedFrom,
      accuracy: result.after?.accuracy,
      process_accuracy: result.after?.processAccuracy,
      lucky_rate: result.after?.luckyRate,
      before: result.before,
      after: result.after,
      wall_seconds: result.wallMs / 1000,
    };
    await run.finish(summary);
    console.log(JSON.stringify({ before: result.before, after: result.after }));
  } catch (error) {
    await run.fail(error);
    throw error;
  } finally {
    await critic.close();
  }
  console.log(run.recordPath);
}
