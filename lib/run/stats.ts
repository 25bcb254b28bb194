/**
 * Paired comparison of two arms: across seeds (the mean, sample standard deviation and a 95%
 * Student-t interval of the per-seed differences A − B; one seed gives no interval), and within one
 * seed over the same evaluation problems (a seeded paired bootstrap).
 * @module
 */
import { createRng } from "../util/mod.ts";

/** The paired difference of one metric. */
export interface PairedDifference {
  /** Seeds (pairs) compared. */
  n: number;
  /** Mean of A − B. */
  mean: number;
  /** Sample standard deviation of A − B (null for one pair). */
  sd: number | null;
  /** 95% t interval of the mean difference (null for one pair). */
  ci95: [number, number] | null;
  /** Pairs where A > B. */
  aWins: number;
}

// Two-sided 95% quantiles of Student's t for 1..30 degrees of freedom.
const T95 = [
  12.706,
  4.303,
  3.182,
  2.776,
  2.571,
  2.447,
  2.365,
  2.306,
  2.262,
  2.228,
  2.201,
  2.179,
  2.16,
  2.145,
  2.131,
  2.12,
  2.11,
  2.101,
  2.093,
  2.086,
  2.08,
  2.074,
  2.069,
  2.064,
  2.06,
  2.056,
  2.052,
  2.048,
  2.045,
  2.042,
];

/**
 * The two-sided 95% Student-t quantile for `df` degrees of freedom (1.96 beyond 30).
 *
 * @param df Degrees of freedom (≥ 1).
 * @returns The quantile.
 * @example
 * ```ts
 * tQuantile95(4); // 2.776
 * ```
 */
export function tQuantile95(df: number): number {
  if (!(Number.isInteger(df) && df >= 1)) {
    throw new RangeError(`Cannot give a t quantile: expected df an integer >= 1, got ${df}`);
  }
  return df <= T95.length ? T95[df - 1] : 1.96;
}

/**
 * Paired difference A − B over matched pairs (e.g. the same seed).
 *
 * @param a Values of arm A.
 * @param b Values of arm B, in the same order.
 * @returns Mean, standard deviation and 95% interval of the differences.
 * @throws {RangeError} When the lists differ in length or are empty.
 * @example
 * ```ts
 * pairedDifference([0.30, 0.31, 0.29], [0.27, 0.26, 0.28]).mean; // ≈ 0.03
 * ```
 */
export function pairedDifference(a: readonly number[], b: readonly number[]): PairedDifference {
  if (a.length !== b.length || a.length === 0) {
    throw new RangeError(
      `Cannot pair arms: expected two equally long, non-empty lists, got ${a.length} and ${b.length}`,
    );
  }
  const d = a.map((x, i) => x - b[i]);
  const n = d.length;
  const mean = d.reduce((s, x) => s + x, 0) / n;
  const aWins = d.filter((x) => x > 0).length;
  if (n < 2) return { n, mean, sd: null, ci95: null, aWins };
  const sd = Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
  const half = tQuantile95(n - 1) * sd / Math.sqrt(n);
  return { n, mean, sd, ci95: [mean - half, mean + half], aWins };
}

/**
 * A markdown table of paired differences per metric.
 *
 * @param label What is compared ("capo − grpo").
 * @param rows Metric → difference.
 * @returns Markdown.
 * @example
 * ```ts
 * pairedTable("capo − grpo", { accuracy: pairedDifference([0.5, 0.6], [0.4, 0.5]) });
 * ```
 */
export function pairedTable(label: string, rows: Record<string, PairedDifference>): string {
  const f = (x: number) => (x >= 0 ? "+" : "") + x.toFixed(3);
  const lines = [
    `| metric (${label}) | mean | sd | 95% CI | wins | n |`,
    "| --- | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const [metric, d] of Object.entries(rows)) {
    lines.push(
      `| ${metric} | ${f(d.mean)} | ${d.sd === null ? "—" : d.sd.toFixed(3)} | ${
        d.ci95 ? `${f(d.ci95[0])} … ${f(d.ci95[1])}` : "—"
      } | ${d.aWins}/${d.n} | ${d.n} |`,
    );
  }
  return lines.join("\n");
}

/** Options for {@linkcode pairedBootstrap}. */
export interface PairedBootstrapOptions {
  /** Resamples. @default 2000 */
  resamples?: number;
  /** Seed of the resampling. @default 0 */
  seed?: number;
}

/**
 * Paired bootstrap of a mean difference A − B over matched items (e.g. the same evaluation
 * problems answered by two arms of one seed): the mean, the bootstrap standard deviation and the
 * 95% percentile interval. It measures how much the difference depends on which problems were
 * drawn, not how it varies across seeds.
 *
 * @param a Per-item values of arm A.
 * @param b Per-item values of arm B, in the same order.
 * @param options See {@linkcode PairedBootstrapOptions}.
 * @returns Mean, sd and 95% interval of the mean difference.
 * @throws {RangeError} When the lists differ in length or are empty.
 * @example
 * ```ts
 * pairedBootstrap([1, 1, 0, 1], [1, 0, 0, 0]).mean; // 0.5
 * ```
 */
export function pairedBootstrap(
  a: readonly number[],
  b: readonly number[],
  options: PairedBootstrapOptions = {},
): PairedDifference {
  const { resamples = 2000, seed = 0 } = options;
  if (a.length !== b.length || a.length === 0) {
    throw new RangeError(
      `Cannot bootstrap: expected two equally long, non-empty lists, got ${a.length} and ${b.length}`,
    );
  }
  const d = a.map((x, i) => x - b[i]);
  const n = d.length;
  const mean = d.reduce((s, x) => s + x, 0) / n;
  const rng = createRng(seed).fork("paired bootstrap");
  const means: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += d[rng.int(n)];
    means.push(sum / n);
  }
  means.sort((x, y) => x - y);
  const avg = means.reduce((s, x) => s + x, 0) / resamples;
  const sd = Math.sqrt(means.reduce((s, x) => s + (x - avg) ** 2, 0) / (resamples - 1));
  const at = (q: number) => means[Math.min(resamples - 1, Math.floor(q * resamples))];
  return { n, mean, sd, ci95: [at(0.025), at(0.975)], aWins: d.filter((x) => x > 0).length };
}
