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
  type GridCell,
  resolveCell,
  TRAIN_CONFIG_SCHEMA,
  type TrainConfig,
} from "../lib/config/mod.ts";
import {
  flattenJson,
  type GroupInput,
  groupStats,
  listRuns,
  markdownGroupTable,
  type RunHandle,
} from "../lib/lineage/mod.ts";
import {
  loadRunTasks,
  pairedDifference,
  pairedTable,
  runArm,
  runExperiment,
  startPolicySampledEvaluation,
} from "../lib/run/mod.ts";
import { writeFileAtomic } from "../lib/util/mod.ts";
import { runGrid } from "../lib/grid/mod.ts";

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
    async ({ config, run, runsDir, progress }) => {
      const cells = expandGrid(config.grid);
      // Resolve every cell first, so a bad grid key fails before any training.
      const cellConfigs = cells.map((cell) => ({
        cell,
        config: {
          ...resolveCell(config, cell, TRAIN_CONFIG_SCHEMA, ABLATION_ONLY_KEYS),
          name: cell.label,
        },
      }));
      progress(`${config.name}: ${cells.length} runs (${config.executor.kind})`);
      const results: GroupInput[] = config.executor.kind === "inprocess"
        ? await runInProcess(cellConfigs, run, progress)
        : await runAsJobs(config, cellConfigs, run, runsDir, progress);
      if (config.executor.dryRun) return { dry_run: true };
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

type Cell = { cell: GridCell; config: TrainConfig };

/** Every cell in this process, one after another; the start policy's sampled evaluation is shared. */
async function runInProcess(
  cells: readonly Cell[],
  run: RunHandle,
  progress: (line: string) => void,
): Promise<GroupInput[]> {
  const before = new Map<string, Record<string, number | null> | null>();
  const results: GroupInput[] = [];
  for (const [i, { cell, config }] of cells.entries()) {
    progress(`run ${i + 1}/${cells.length} ${cell.label}`);
    const tasks = await loadRunTasks(config);
    // Everything the start policy's sampled evaluation depends on.
    const key = JSON.stringify([
      config.policy,
      config.eval,
      config.sampledEval,
      config.rl.maxNewTokens,
      config.rl.backend,
    ]);
    if (!before.has(key)) before.set(key, await startPolicySampledEvaluation(config, tasks.eval));
    const arm = await runArm(config, {
      parent: run,
      tasks,
      progress,
      values: cell.values,
      sampledBefore: before.get(key),
    });
    results.push({ id: arm.runId, values: cell.values, summary: arm.summary });
  }
  return results;
}

/**
 * Every cell as its own `deno task train` process — local child processes or one Slurm array job —
 * each writing its record into the shared runs folder as a child of this run; then the records are
 * collected by name (a retried arm's latest completed record counts).
 */
async function runAsJobs(
  config: AblationConfig,
  cells: readonly Cell[],
  run: RunHandle,
  runsDir: string,
  progress: (line: string) => void,
): Promise<GroupInput[]> {
  const root = Deno.cwd();
  const cellDir = `${run.dir}/cells`;
  await Deno.mkdir(cellDir, { recursive: true });
  const arms = [];
  for (const [i, { cell, config: cellConfig }] of cells.entries()) {
    const file = `${cellDir}/${i}.json`;
    await writeFileAtomic(file, JSON.stringify(cellConfig, null, 2) + "\n");
    arms.push({
      label: cell.label,
      cwd: root,
      argv: [
        Deno.execPath(),
        "run",
        "-A",
        `${root}/lib/cli/train.ts`,
        `--config=${file}`,
        `--runs-dir=${runsDir}`,
        `--parent-id=${run.id}`,
      ],
    });
  }
  const e = config.executor;
  const onProgress = (p: { completed: number; failed: number; running: number; total: number }) =>
    progress(`grid: ${p.completed} done, ${p.running} running, ${p.failed} failed of ${p.total}`);
  const grid = await runGrid(arms, {
    executor: e.kind === "slurm" ? "slurm" : "local",
    local: {
      logDir: `${run.dir}/grid`,
      onProgress,
      ...(e.concurrency > 0 ? { concurrency: e.concurrency } : {}),
    },
    slurm: {
      workDir: e.workDir || `${run.dir}/grid`,
      jobName: config.name,
      ...(e.partition ? { partition: e.partition } : {}),
      ...(e.time ? { time: e.time } : {}),
      cpusPerTask: e.cpusPerTask,
      gpusPerTask: e.gpusPerTask,
      extraSbatch: e.extraSbatch,
      dryRun: e.dryRun,
      onProgress,
    },
  });
  if ("script" in grid && e.dryRun) {
    console.log(String(grid.script));
    return [];
  }
  if (grid.failed > 0) {
    const failed = grid.arms.filter((a) => a.exitCode !== 0).map((a) =>
      `${a.label} (${a.logPath})`
    );
    throw new Error(
      `Cannot finish the grid: ${grid.failed} arm(s) failed after a retry: ${failed.join(", ")}`,
    );
  }
  const children = await listRuns(runsDir, { parentId: run.id });
  return cells.map(({ cell }) => {
    const record = children.filter((c) => c.name === cell.label && c.status === "completed").at(-1);
    if (!record) throw new Error(`Cannot collect the grid: no completed record for ${cell.label}`);
    return { id: record.id, values: cell.values, summary: record.summary };
  });
}

export type { AblationConfig };
