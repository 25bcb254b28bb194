/**
 * The ablation runner behind ablate:weights / ablate:estimators / ablate:seeds / ablate:voting: a
 * YAML grid of dotted overrides over a base training config → one `runArm` child run per cell →
 * ablation.json and ablation.md in the parent run folder (mean ± std across the keys not in
 * `groupBy`, e.g. seeds; with `compare`, the paired difference of two groups and its 95% interval).
 * @module
 */
import {
  ABLATION_CONFIG_SCHEMA,
  ABLATION_ONLY_KEYS,
  type AblationConfig,
  expandGrid,
  resolveCell,
  TRAIN_CONFIG_SCHEMA,
} from "../lib/config/mod.ts";
import {
  flattenJson,
  type GroupInput,
  groupStats,
  markdownGroupTable,
} from "../lib/lineage/mod.ts";
import { chooseBackend, loadCheckpoint } from "../lib/model/mod.ts";
import {
  loadRunTasks,
  pairedDifference,
  pairedTable,
  runArm,
  runExperiment,
  sampledEvaluation,
} from "../lib/run/mod.ts";
import { writeFileAtomic } from "../lib/util/mod.ts";

/**
 * The paired comparison of two values of the first `groupBy` key, matched on the other grid keys.
 *
 * @param config The ablation config (its `compare`, `groupBy` and `metrics`).
 * @param runs The runs with their grid values and summaries.
 * @returns Metric → paired difference, or null without `compare`.
 */
export function compareGroups(
  config: Pick<AblationConfig, "compare" | "groupBy" | "metrics">,
  runs: readonly GroupInput[],
) {
  if (config.compare.length !== 2 || config.groupBy.length === 0) return null;
  const [key] = config.groupBy;
  const [a, b] = config.compare;
  const match = (run: GroupInput) =>
    JSON.stringify(Object.entries(run.values).filter(([k]) => k !== key).sort());
  const bs = new Map(runs.filter((r) => String(r.values[key]) === b).map((r) => [match(r), r]));
  const pairs = runs.filter((r) => String(r.values[key]) === a && bs.has(match(r)))
    .map((r) => [flattenJson(r.summary ?? {}), flattenJson(bs.get(match(r))!.summary ?? {})]);
  if (pairs.length === 0) return null;
  const out: Record<string, ReturnType<typeof pairedDifference>> = {};
  for (const metric of config.metrics) {
    const usable = pairs.filter(([x, y]) =>
      typeof x[metric] === "number" && typeof y[metric] === "number"
    );
    if (usable.length > 0) {
      out[metric] = pairedDifference(
        usable.map(([x]) => x[metric] as number),
        usable.map(([, y]) => y[metric] as number),
      );
    }
  }
  return { label: `${a} − ${b}`, rows: out };
}

/**
 * Runs an ablation script: `deno task <task> [--config=FILE] [--key.path=value]`.
 *
 * @param task deno.json task name.
 * @param defaultConfig YAML used without `--config`.
 * @param args Command-line arguments.
 * @returns The exit code.
 */
export function runAblation(task: string, defaultConfig: string, args: string[]): Promise<number> {
  return runExperiment(
    {
      task,
      kind: "ablation",
      schema: ABLATION_CONFIG_SCHEMA,
      defaultConfig,
      usage: `usage: deno task ${task} [--config=FILE] [--runs-dir=DIR] [--key.path=value ...]\n` +
        `  one training run per cell of the grid in ${defaultConfig}; e.g. --rl.iterations=10`,
    },
    args,
    async ({ config, run, progress }) => {
      const cells = expandGrid(config.grid);
      // Resolve every cell first, so a bad grid key fails before any training.
      const cellConfigs = cells.map((cell) => ({
        cell,
        config: {
          ...resolveCell(config, cell, TRAIN_CONFIG_SCHEMA, ABLATION_ONLY_KEYS),
          name: cell.label,
        },
      }));
      progress(`${config.name}: ${cells.length} runs`);
      const before = new Map<string, Record<string, number | null> | null>();
      const results: GroupInput[] = [];
      for (const [i, { cell, config: cellConfig }] of cellConfigs.entries()) {
        progress(`${config.name}: run ${i + 1}/${cells.length} ${cell.label}`);
        await chooseBackend(cellConfig.rl.backend);
        const tasks = await loadRunTasks(cellConfig);
        const key = JSON.stringify([cellConfig.policy, cellConfig.eval, cellConfig.sampledEval]);
        if (!before.has(key)) {
          const start = await loadCheckpoint(cellConfig.policy.path);
          before.set(key, await sampledEvaluation(start, cellConfig, tasks.eval));
          start.dispose();
        }
        const arm = await runArm(cellConfig, {
          parent: run,
          tasks,
          progress,
          values: cell.values,
          sampledBefore: before.get(key),
        });
        results.push({ id: arm.runId, values: cell.values, summary: arm.summary });
      }
      const rows = groupStats(results, config.groupBy, config.metrics);
      const comparison = compareGroups(config, results);
      const table = markdownGroupTable(rows) +
        (comparison ? `\n\n${pairedTable(comparison.label, comparison.rows)}` : "");
      await writeFileAtomic(
        `${run.dir}/ablation.json`,
        JSON.stringify({ config, runs: results, rows, comparison }, null, 2) + "\n",
      );
      await writeFileAtomic(`${run.dir}/ablation.md`, `# ${config.name}\n\n${table}\n`);
      await run.addArtifact(`${run.dir}/ablation.json`, "table");
      await run.addArtifact(`${run.dir}/ablation.md`, "table");
      console.log(table);
      return {
        runs: results.length,
        rows: rows.map((r) => ({
          ...r.group,
          ...Object.fromEntries(
            Object.entries(r.metrics).map((
              [m, s],
            ) => [m, { mean: s.mean, std: s.std, min: s.min, max: s.max, n: s.n }]),
          ),
        })),
        ...(comparison ? { comparison: { label: comparison.label, ...comparison.rows } } : {}),
      };
    },
  );
}

export type { AblationConfig };
