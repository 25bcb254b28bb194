/**
 * Tables over run summaries: group runs by some config values, report each metric's mean, standard
 * deviation, min and max across the rest (seeds), and render the result as markdown — the output
 * of the ablation scripts.
 * @module
 */
import { flattenJson } from "./store.ts";

/** Statistics of one metric over a group's runs. */
export interface MetricStats {
  mean: number;
  /** Sample standard deviation (0 for one run). */
  std: number;
  min: number;
  max: number;
  n: number;
}

/** One table row: the group's key values and per-metric stats. */
export interface GroupRow {
  group: Record<string, unknown>;
  metrics: Record<string, MetricStats>;
  /** Run ids in the group. */
  runs: string[];
}

/** Input of {@linkcode groupStats}: a run's grid values and flattened summary. */
export interface GroupInput {
  id: string;
  values: Record<string, unknown>;
  summary: Record<string, unknown> | null;
}

/**
 * Mean, standard deviation, min and max of `[1, 2, 3]`-like samples.
 *
 * @param xs Samples (non-finite ones are dropped).
 * @returns The stats (NaN mean for no samples).
 * @example
 * ```ts
 * stats([1, 2, 3]).std; // 1
 * ```
 */
export function stats(xs: readonly number[]): MetricStats {
  const v = xs.filter(Number.isFinite);
  const n = v.length;
  const mean = n ? v.reduce((a, b) => a + b, 0) / n : NaN;
  const std = n > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, min: n ? Math.min(...v) : NaN, max: n ? Math.max(...v) : NaN, n };
}

/**
 * Groups runs by the values of `groupBy` keys and summarises `metrics` (dotted summary keys).
 *
 * @param runs Runs with their grid values and summaries.
 * @param groupBy Grid keys that define a row; empty = one row per run.
 * @param metrics Dotted summary keys.
 * @returns One row per group, in first-seen order.
 * @example
 * ```ts
 * groupStats([{ id: "a", values: { seed: 0 }, summary: { accuracy: 1 } }], [], ["accuracy"]);
 * ```
 */
export function groupStats(
  runs: readonly GroupInput[],
  groupBy: readonly string[],
  metrics: readonly string[],
): GroupRow[] {
  const groups = new Map<string, { group: Record<string, unknown>; items: GroupInput[] }>();
  for (const run of runs) {
    const group = groupBy.length
      ? Object.fromEntries(groupBy.map((k) => [k, run.values[k]]))
      : { ...run.values };
    const key = JSON.stringify(groupBy.length ? group : run.id);
    if (!groups.has(key)) groups.set(key, { group, items: [] });
    groups.get(key)!.items.push(run);
  }
  return [...groups.values()].map(({ group, items }) => {
    const flat = items.map((r) => flattenJson(r.summary ?? {}));
    return {
      group,
      runs: items.map((r) => r.id),
      metrics: Object.fromEntries(
        metrics.map((m) => [m, stats(flat.map((f) => Number(f[m] ?? NaN)))]),
      ),
    };
  });
}

/**
 * Renders grouped rows as a markdown table: `mean ± std (min–max, n)` when a group has several
 * runs, else the value.
 *
 * @param rows From {@linkcode groupStats}.
 * @param digits Decimal places. @default 3
 * @returns Markdown text.
 * @example
 * ```ts
 * console.log(markdownGroupTable(rows));
 * ```
 */
export function markdownGroupTable(rows: readonly GroupRow[], digits = 3): string {
  if (rows.length === 0) return "(no runs)";
  const keys = Object.keys(rows[0].group);
  const metrics = Object.keys(rows[0].metrics);
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(digits) : "—");
  const cell = (s: MetricStats) =>
    s.n > 1 ? `${f(s.mean)} ± ${f(s.std)} (${f(s.min)}–${f(s.max)}, n=${s.n})` : f(s.mean);
  return [
    `| ${[...keys, ...metrics].join(" | ")} |`,
    `|${[...keys.map(() => "---"), ...metrics.map(() => "---:")].join("|")}|`,
    ...rows.map((r) =>
      `| ${
        [...keys.map((k) => String(r.group[k])), ...metrics.map((m) => cell(r.metrics[m]))].join(
          " | ",
        )
      } |`
    ),
  ].join("\n");
}
