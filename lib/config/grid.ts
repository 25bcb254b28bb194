/**
 * Ablation grids: a mapping from dotted config keys to value lists, expanded into the cross
 * product of dotted overrides (the first key varies slowest), each of which resolves against the
 * base config through the same schema as a command-line override.
 * @module
 */
import { parseConfig } from "./load.ts";
import type { Schema } from "./schema.ts";

/** One grid cell: its values by key, and the equivalent command-line overrides. */
export interface GridCell {
  values: Record<string, number | string | boolean>;
  overrides: string[];
  /** `key=value,key=value`, usable in run names. */
  label: string;
}

/**
 * Expands a grid into its cells (cross product, in key order, first key slowest).
 *
 * @param grid Dotted key → values.
 * @returns The cells; one empty cell for an empty grid.
 * @throws {RangeError} When a key has no values.
 * @example
 * ```ts
 * expandGrid({ "rl.estimator": ["capo", "grpo"], "rl.seed": [0, 1] }).length; // 4
 * ```
 */
export function expandGrid(
  grid: Record<string, readonly (number | string | boolean)[]>,
): GridCell[] {
  let cells: Record<string, number | string | boolean>[] = [{}];
  for (const [key, values] of Object.entries(grid)) {
    if (values.length === 0) {
      throw new RangeError(`Cannot expand grid: expected values for ${key}, got none`);
    }
    cells = cells.flatMap((cell) => values.map((v) => ({ ...cell, [key]: v })));
  }
  return cells.map((values) => {
    const entries = Object.entries(values);
    return {
      values,
      overrides: entries.map(([k, v]) => `--${k}=${typeof v === "string" ? JSON.stringify(v) : v}`),
      label: entries.map(([k, v]) => `${k.split(".").at(-1)}=${v}`).join(","),
    };
  });
}

/**
 * Resolves a grid cell against a base config: the base (minus `omit` keys) plus the cell's
 * overrides, validated by `schema` (so a misspelt grid key is an error naming it).
 *
 * @typeParam T The resolved type.
 * @param base A resolved config (JSON-compatible).
 * @param cell The cell.
 * @param schema The schema of the result.
 * @param omit Top-level keys of `base` the schema does not have (e.g. "grid"). @default []
 * @returns The cell's config.
 * @example
 * ```ts
 * const cfg = resolveCell(ablation, cell, TRAIN_CONFIG_SCHEMA, ["grid", "groupBy", "metrics"]);
 * ```
 */
export function resolveCell<T>(
  base: Record<string, unknown>,
  cell: GridCell,
  schema: Schema<T>,
  omit: readonly string[] = [],
): T {
  const kept = Object.fromEntries(Object.entries(base).filter(([k]) => !omit.includes(k)));
  return parseConfig(JSON.stringify(kept), schema, {
    file: "grid base",
    overrides: cell.overrides,
  });
}
