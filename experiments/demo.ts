/**
 * `deno task demo`: CAPO vs GRPO on the synthetic task. Starts the reference critic server, loads
 * the shipped SFT checkpoint, trains one arm per estimator with the same seed and budget, evaluates
 * each before and after (greedy, test split), prints a table, and writes a parent lineage record
 * with one child per arm. The summary holds `arms.<estimator>.{accuracy, process_accuracy,
 * lucky_rate}` after training; the record path is the last line of output.
 *
 *   deno task demo [--config=experiments/configs/demo.yaml] [--runs-dir=DIR] [--rl.iterations=10]
 * @module
 */
import { DEMO_CONFIG_SCHEMA } from "../lib/config/mod.ts";
import { chooseBackend } from "../lib/model/mod.ts";
import { resolveRlConfig } from "../lib/train/mod.ts";
import { writeFileAtomic } from "../lib/util/mod.ts";
import {
  type ArmOutcome,
  checkpointInput,
  makeTask,
  sampledEvaluationOf,
  startCritic,
  trainArm,
} from "./_arms.ts";
import { runScript } from "./_cli.ts";

const USAGE = `usage: deno task demo [--config=FILE] [--runs-dir=DIR] [--key.path=value ...]
  trains CAPO and GRPO arms from data/sft and compares answer accuracy, process accuracy and
  lucky rate before and after; e.g. --rl.iterations=10 --arms=[capo]`;

function pct(x: number | undefined): string {
  return x === undefined ? "   —  " : `${(100 * x).toFixed(1).padStart(5)}%`;
}

/** The before/after table printed by the demo (text): greedy rows, then sampled rows if any. */
export function demoTable(arms: readonly ArmOutcome[]): string {
  const head = "arm                 | accuracy        | process acc.    | lucky rate";
  const row = (
    label: string,
    before: Record<string, number> | null,
    after: Record<string, number> | null,
  ) => {
    const pair = (key: string) => `${pct(before?.[key])} → ${pct(after?.[key])}`;
    return `${label.padEnd(19)} | ${pair("accuracy")} | ${pair("process_accuracy")} | ${
      pair("lucky_rate")
    }`;
  };
  const rows = [
    ...arms.map((a) => row(`${a.name} (greedy)`, a.before, a.after)),
    ...arms.filter((a) => a.sampled).map((a) =>
      row(`${a.name} (sampled)`, a.sampledBefore, a.sampled)
    ),
  ];
  return [head, "-".repeat(head.length), ...rows].join("\n");
}

if (import.meta.main) {
  Deno.exit(
    await runScript(
      {
        task: "demo",
        kind: "demo",
        schema: DEMO_CONFIG_SCHEMA,
        defaultConfig: "experiments/configs/demo.yaml",
        usage: USAGE,
      },
      Deno.args,
      async ({ config, run, progress }) => {
        const rl = resolveRlConfig(config.rl); // lib/train's own validation on top of the schema
        await run.update({ backend: await chooseBackend(rl.backend) });
        const { task, inputs: taskInputs } = await makeTask(config.task);
        const inputs = [...taskInputs, await checkpointInput(config.checkpoint)];
        for (const input of inputs) await run.addInput(input);
        const critic = await startCritic(rl, config.criticLatencyMs);
        await run.update({
          critic: critic.record,
          seeds: { task: config.task.seed, rl: rl.seed, critic_noise: rl.seed },
        });
        const started = performance.now();
        if (config.sampledEval.samples > 0) progress("demo: sampled evaluation of the checkpoint");
        const sampledBefore = await sampledEvaluationOf(
          config.checkpoint,
          task.test,
          rl,
          config.sampledEval,
        );
        const arms: ArmOutcome[] = [];
        try {
          for (const estimator of config.arms) {
            const armRl = resolveRlConfig({ ...rl, estimator });
            progress(
              `demo: training ${estimator} (${armRl.iterations} iterations × ${armRl.batchPrompts} prompts × ${armRl.n} rollouts)`,
            );
            arms.push(
              await trainArm(run, {
                name: estimator,
                config: { ...config, rl: armRl },
                task,
                inputs,
                critic,
                progress,
                sampledEval: config.sampledEval,
                sampledBefore,
              }),
            );
            await run.setSummary({ arms: Object.fromEntries(arms.map((a) => [a.name, a.after])) });
          }
        } finally {
          await critic.close();
        }
        const table = demoTable(arms);
        console.log(table);
        await writeFileAtomic(`${run.dir}/demo.md`, "```\n" + table + "\n```\n");
        await run.addArtifact(`${run.dir}/demo.md`, "table");
        const [capo, grpo] = [
          arms.find((a) => a.name === "capo"),
          arms.find((a) => a.name === "grpo"),
        ];
        const verdict = capo?.after && grpo?.after
          ? {
            capo_beats_grpo_process_accuracy:
              capo.after.process_accuracy > grpo.after.process_accuracy,
            capo_beats_grpo_accuracy: capo.after.accuracy > grpo.after.accuracy,
          }
          : {};
        if (capo?.after && grpo?.after) {
          console.log(
            `CAPO vs GRPO after training: process accuracy ${pct(capo.after.process_accuracy)} vs ${
              pct(grpo.after.process_accuracy)
            }, ` +
              `accuracy ${pct(capo.after.accuracy)} vs ${
                pct(grpo.after.accuracy)
              } (one seed; see ablate:seeds for the spread)`,
          );
        }
        return {
          arms: Object.fromEntries(
            arms.map((a) => [a.name, {
              ...a.after,
              before: a.before,
              ...(a.sampled ? { sampled: a.sampled } : {}),
              run_id: a.runId,
            }]),
          ),
          before: arms[0]?.before ?? null,
          ...(sampledBefore ? { sampled_before: sampledBefore } : {}),
          ...verdict,
          seconds: (performance.now() - started) / 1000,
        };
      },
    ),
  );
}
