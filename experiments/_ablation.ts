/**
 * The ablation runner behind ablate_weights / ablate_estimators / ablate_seeds: a YAML grid of
 * dotted overrides over a base training config → one child run per cell (trained from the SFT
 * checkpoint with the cell's own reference critic) → ablation.json and ablation.md (mean ± std
 * across the non-grouped keys, e.g. seeds) in the parent run folder.
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
import { groupStats, markdownGroupTable } from "../lib/lineage/mod.ts";
import { resolveRlConfig } from "../lib/train/mod.ts";
import { writeFileAtomic } from "../lib/util/mod.ts";
import { checkpointInput, makeTask, sampledEvaluationOf, startCritic, trainArm } from "./_arms.ts";
import { runScript } from "./_cli.ts";

/**
 * Runs an ablation script: `deno task <task> [--config=FILE] [--key.path=value]`.
 *
 * @param task deno.json task name.
 * @param defaultConfig YAML used without `--config`.
 * @param args Command-line arguments.
 * @returns The exit code.
 */
export function runAblation(task: string, defaultConfig: string, args: string[]): Promise<number> {
  return runScript(
    {
      task,
      kind: "ablation",
      schema: ABLATION_CONFIG_SCHEMA,
      defaultConfig,
      usage: `usage: deno task ${task} [--config=FILE] [--runs-dir=DIR] [--key.path=value ...]`,
    },
    args,
    async ({ config, run, progress }) => {
      const cells = expandGrid(config.grid);
      const base = config as unknown as Record<string, unknown>;
      const omit = ABLATION_ONLY_KEYS;
      const before = new Map<string, Record<string, number> | null>(); // per checkpoint + task
      // Resolve every cell first, so a bad grid key fails before any training.
      const cellConfigs = cells.map((cell) => {
        const resolved = resolveCell(base, cell, TRAIN_CONFIG_SCHEMA, omit);
        return {
          cell,
          config: { ...resolved, name: cell.label, rl: resolveRlConfig(resolved.rl) },
        };
      });
      progress(`${config.name}: ${cells.length} runs`);
      const results: {
        id: string;
        values: Record<string, unknown>;
        summary: Record<string, unknown> | null;
      }[] = [];
      for (const [i, { cell, config: cellConfig }] of cellConfigs.entries()) {
        progress(`${config.name}: run ${i + 1}/${cells.length} ${cell.label}`);
        const { task: generated, inputs: taskInputs } = await makeTask(cellConfig.task);
        const inputs = [...taskInputs, await checkpointInput(cellConfig.checkpoint)];
        const key = JSON.stringify([
          cellConfig.checkpoint,
          cellConfig.task,
          cellConfig.rl.evalSize,
        ]);
        if (!before.has(key)) {
          before.set(
            key,
            await sampledEvaluationOf(
              cellConfig.checkpoint,
              generated.test,
              cellConfig.rl,
              config.sampledEval,
            ),
          );
        }
        const critic = await startCritic(cellConfig.rl, cellConfig.criticLatencyMs);
        try {
          const arm = await trainArm(run, {
            name: cell.label,
            config: cellConfig,
            task: generated,
            inputs,
            critic,
            progress,
            values: cell.values,
            sampledEval: config.sampledEval,
            sampledBefore: before.get(key),
          });
          results.push({
            id: arm.runId,
            values: cell.values,
            summary: {
              ...arm.after,
              before: arm.before,
              sampled: arm.sampled,
              sampled_before: arm.sampledBefore,
            },
          });
        } finally {
          await critic.close();
        }
      }
      const rows = groupStats(results, config.groupBy, config.metrics);
      const table = markdownGroupTable(rows);
      await writeFileAtomic(
        `${run.dir}/ablation.json`,
        JSON.stringify({ config, runs: results, rows }, null, 2) + "\n",
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
      };
    },
  );
}

export type { AblationConfig };
