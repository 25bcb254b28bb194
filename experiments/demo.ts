/**
 * `deno task demo`: CAPO vs GRPO on the synthetic task. Every arm is one `runArm` call (the one
 * runner) with the same seed, data, critic and budget, recorded as a child of the demo's run; the
 * demo prints a before/after table (greedy and sampled) and the CAPO − GRPO differences.
 *
 *   deno task demo [--config=experiments/configs/demo.yaml] [--runs-dir=DIR] [--rl.iterations=10]
 * @module
 */
import { DEMO_CONFIG_SCHEMA } from "../lib/config/mod.ts";
import { openCritic } from "../lib/critic/mod.ts";
import {
  type ArmResult,
  loadRunTasks,
  pairedBootstrap,
  type PairedDifference,
  pairedTable,
  runArm,
  runExperiment,
  runMain,
  startPolicySampledEvaluation,
} from "../lib/run/mod.ts";
import { writeFileAtomic } from "../lib/util/mod.ts";

const USAGE = `usage: deno task demo [--config=FILE] [--runs-dir=DIR] [--key.path=value ...]
  trains CAPO and GRPO arms from data/sft and compares answer accuracy, process accuracy and
  lucky rate before and after; e.g. --rl.iterations=10 --arms=[capo]`;

function pct(x: number | null | undefined): string {
  return x === undefined || x === null ? "   —  " : `${(100 * x).toFixed(1).padStart(5)}%`;
}

/**
 * The before/after table printed by the demo: greedy rows, then sampled rows if any.
 *
 * @param arms The arms' results.
 * @returns The table as text.
 */
export function demoTable(arms: readonly ArmResult[]): string {
  const head = "arm                 | accuracy        | process acc.    | lucky rate";
  type Row = Record<string, number | null> | null;
  const row = (label: string, before: Row, after: Row) => {
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
  await runMain("demo", () =>
    runExperiment(
      {
        task: "demo",
        kind: "demo",
        schema: DEMO_CONFIG_SCHEMA,
        defaultConfig: "experiments/configs/demo.yaml",
        usage: USAGE,
      },
      Deno.args,
      async ({ config, run, progress }) => {
        const started = performance.now();
        const tasks = await loadRunTasks(config);
        const critic = await openCritic(config.critic, { seed: config.rl.seed });
        const arms: ArmResult[] = [];
        if (config.sampledEval.samples > 0) {
          progress("demo: sampled evaluation of the start policy");
        }
        const sampledBefore = await startPolicySampledEvaluation(config, tasks.eval);
        try {
          for (const estimator of config.arms) {
            const { arms: _, ...base } = config;
            const arm = { ...base, name: estimator, rl: { ...config.rl, estimator } };
            progress(
              `demo: training ${estimator} (${arm.rl.iterations} iterations × ${arm.rl.batchPrompts} prompts × ${arm.rl.n} rollouts)`,
            );
            arms.push(
              await runArm(arm, { parent: run, tasks, critic, sampledBefore, progress }),
            );
            await run.setSummary({ arms: Object.fromEntries(arms.map((a) => [a.name, a.after])) });
          }
        } finally {
          await critic.close();
        }
        const [capo, grpo] = [
          arms.find((a) => a.name === "capo"),
          arms.find((a) => a.name === "grpo"),
        ];
        // One seed: a paired bootstrap over the evaluation problems says how much of each difference
        // the draw of problems alone explains (`deno task ablate:seeds` pairs across seeds).
        const difference: Record<string, Record<string, PairedDifference>> = {};
        for (const mode of ["greedy", "sampled"] as const) {
          const a = capo?.perProblem[mode];
          const b = grpo?.perProblem[mode];
          if (!a || !b) continue;
          for (const key of ["accuracy", "process_accuracy", "lucky_rate"] as const) {
            if (a[key].length === 0 || a[key].length !== b[key].length) continue;
            (difference[mode] ??= {})[key] = pairedBootstrap(a[key], b[key], {
              seed: config.rl.seed,
            });
          }
        }
        const tables = [
          "```\n" + demoTable(arms) + "\n```",
          ...Object.entries(difference).map(([mode, rows]) =>
            pairedTable(`capo − grpo, ${mode}, paired bootstrap over problems`, rows)
          ),
        ];
        console.log(tables.join("\n\n"));
        await writeFileAtomic(`${run.dir}/demo.md`, tables.join("\n\n") + "\n");
        await run.addArtifact(`${run.dir}/demo.md`, "table");
        return {
          arms: Object.fromEntries(
            arms.map((a) => [a.name, {
              ...a.after,
              before: a.before,
              ...(a.sampled ? { sampled: a.sampled } : {}),
              credit: a.summary.credit,
              run_id: a.runId,
            }]),
          ),
          before: arms[0]?.before ?? null,
          ...(sampledBefore ? { sampled_before: sampledBefore } : {}),
          ...(Object.keys(difference).length ? { capo_minus_grpo: difference } : {}),
          seconds: (performance.now() - started) / 1000,
        };
      },
    ));
}
