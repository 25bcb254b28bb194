/**
 * One entry for grids: `runGrid(arms, { executor })` dispatches to the local or the Slurm
 * executor, so an ablation's `--executor=local|slurm` flag maps onto one call.
 * @module
 */
import { runGridLocal, type RunGridLocalOptions } from "./local.ts";
import { runGridSlurm, type RunGridSlurmOptions } from "./slurm.ts";
import type { Arm, GridResult } from "./types.ts";

/** The executors {@linkcode runGrid} knows. */
export const GRID_EXECUTORS = ["local", "slurm"] as const;

/** An executor name. */
export type GridExecutor = (typeof GRID_EXECUTORS)[number];

/** Options for {@linkcode runGrid}. */
export interface RunGridOptions {
  /** Where arms run. @default "local" */
  executor?: GridExecutor;
  /** Options of the local executor. @default {} */
  local?: RunGridLocalOptions;
  /** Options of the Slurm executor (`workDir` is required when `executor` is "slurm"). */
  slurm?: RunGridSlurmOptions;
}

/**
 * Runs the arms with the chosen executor; both return the same {@linkcode GridResult}.
 *
 * @param arms The arms, in grid order.
 * @param options See {@linkcode RunGridOptions}.
 * @returns The grid result (for Slurm, with the script and job ids).
 * @throws {RangeError} For an unknown executor or Slurm without `slurm.workDir`.
 * @example
 * ```ts
 * const result = await runGrid(arms, { executor: "slurm", slurm: { workDir: "/shared/grid", time: "02:00:00" } });
 * ```
 */
export function runGrid(arms: readonly Arm[], options: RunGridOptions = {}): Promise<GridResult> {
  const { executor = "local", local = {}, slurm } = options;
  if (executor === "local") return runGridLocal(arms, local);
  if (executor === "slurm") {
    if (!slurm?.workDir) {
      return Promise.reject(
        new RangeError(
          `Cannot run the grid on Slurm: expected slurm.workDir (a folder every node can read), got ${slurm?.workDir}`,
        ),
      );
    }
    return runGridSlurm(arms, slurm);
  }
  return Promise.reject(
    new RangeError(
      `Cannot run the grid: unknown executor "${executor}"; use one of ${
        GRID_EXECUTORS.join(", ")
      }`,
    ),
  );
}
