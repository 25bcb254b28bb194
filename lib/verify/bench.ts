/**
 * Verifier benchmark: throughput (cases per second, one thread) and agreement with labelled pairs —
 * the peers' corpus in `data/verify/` (blind and tuning halves) and the regression set
 * `data/verify_labelled.jsonl` — per category, per source repository and per answer kind.
 * @module
 */
import type { VerifyOptions, VerifyOutcome } from "./types.ts";
import { verifyAnswer } from "./verify.ts";

/** One labelled case. */
export interface LabelledCase {
  /** The model output. */
  pred: string;
  /** The gold answer. */
  gold: string;
  /** The expected result. */
  label: VerifyOutcome;
  /** Failure-mode group, for per-category agreement. */
  category?: string;
  /** Per-call options for this case. */
  options?: VerifyOptions;
  /** Where the label comes from (`owner/repo:path::test`), for per-source agreement. */
  source?: string;
}

/** Options for {@linkcode benchVerifier}. */
export interface BenchVerifierOptions {
  /**
   * Labelled JSONL file (fields `pred`, `gold`, `label`, optional `category`, `options`).
   * @default the repository's data/verify_labelled.jsonl
   */
  path?: string | URL;
  /**
   * Cases to use instead of reading `path`.
   * @default undefined
   */
  cases?: LabelledCase[];
  /**
   * Timed passes over the set (after one untimed warm-up pass that also measures agreement).
   * @default 5
   */
  rounds?: number;
}

/** What {@linkcode benchVerifier} measured. */
export interface BenchVerifierResult {
  /** Cases per second over the timed passes (warm gold cache, as in RL groups). */
  casesPerSecond: number;
  /** Cases per second of the first pass (cold caches, includes JIT warm-up). */
  coldCasesPerSecond: number;
  /** Fraction of cases whose result equals the label. */
  agreement: number;
  /** Cases in the set. */
  n: number;
  /** Slowest single case in the first pass, in milliseconds. */
  maxCaseMs: number;
  /** Agreement per category: `[agreeing, total]`. */
  byCategory: Record<string, [number, number]>;
  /** Agreement per source repository (the part of `source` before `:` or `#`: `owner/repo:path::test`, `owner/repo#issue`): `[agreeing, total]`. */
  bySource: Record<string, [number, number]>;
  /** Agreement per answer kind (see {@linkcode answerKind}): `[agreeing, total]`. */
  byKind: Record<string, [number, number]>;
  /** Cases labelled `not_equal` (or `unverifiable`) that the verifier called `equal`. */
  falsePositives: number;
  /** Cases labelled `equal` that the verifier did not call `equal`. */
  falseNegatives: number;
  /** Cases whose result differs from the label. */
  disagreements: { pred: string; gold: string; label: string; result: string; reason: string }[];
}

/**
 * Reads labelled cases from JSONL.
 *
 * @param path File path or URL.
 * @returns The cases.
 * @throws {SyntaxError} Naming the line when a line is not a labelled case.
 * @example
 * ```ts
 * import { readLabelledCases } from "./bench.ts";
 * const cases = await readLabelledCases("data/verify_labelled.jsonl");
 * ```
 */
export async function readLabelledCases(path: string | URL): Promise<LabelledCase[]> {
  const text = await Deno.readTextFile(path);
  return text.split("\n").flatMap((line, k) => {
    if (line.trim() === "") return [];
    let row: LabelledCase;
    try {
      row = JSON.parse(line);
    } catch {
      throw new SyntaxError(
        `Cannot parse line ${k + 1} of ${path}: expected JSON, got ${line.slice(0, 60)}`,
      );
    }
    if (
      typeof row.pred !== "string" || typeof row.gold !== "string" || typeof row.label !== "string"
    ) {
      throw new SyntaxError(
        `Cannot read line ${k + 1} of ${path}: expected string pred, gold and label, got ${
          line.slice(0, 60)
        }`,
      );
    }
    return [row];
  });
}

/**
 * Measures verifier throughput and agreement on a labelled set, in this thread.
 *
 * @param options See {@linkcode BenchVerifierOptions}.
 * @returns Throughput, agreement and the disagreements.
 * @example
 * ```ts
 * import { benchVerifier } from "./bench.ts";
 * const r = await benchVerifier({ rounds: 3 });
 * console.log(`${r.casesPerSecond.toFixed(0)} cases/s, agreement ${(100 * r.agreement).toFixed(1)}%`);
 * ```
 */
export async function benchVerifier(
  options: BenchVerifierOptions = {},
): Promise<BenchVerifierResult> {
  const {
    path = new URL("../../data/verify_labelled.jsonl", import.meta.url),
    rounds = 5,
  } = options;
  const cases = options.cases ?? await readLabelledCases(path);
  if (cases.length === 0) {
    throw new RangeError("Cannot benchmark the verifier: expected cases, got none");
  }
  const byCategory: Record<string, [number, number]> = {};
  const bySource: Record<string, [number, number]> = {};
  const byKind: Record<string, [number, number]> = {};
  const disagreements: BenchVerifierResult["disagreements"] = [];
  let agree = 0;
  let maxCaseMs = 0;
  let falsePositives = 0;
  let falseNegatives = 0;
  const coldStart = performance.now();
  const results = cases.map((c) => {
    const t = performance.now();
    const r = verifyAnswer(c.pred, c.gold, c.options ?? {});
    maxCaseMs = Math.max(maxCaseMs, performance.now() - t);
    return r;
  });
  const coldMs = performance.now() - coldStart;
  for (const [k, c] of cases.entries()) {
    const r = results[k];
    const ok = r.result === c.label;
    if (!ok && r.result === "equal") falsePositives++;
    if (!ok && c.label === "equal") falseNegatives++;
    const groups = [
      byCategory[c.category ?? "all"] ??= [0, 0],
      bySource[(c.source ?? "unknown").split(/[:#]/)[0]] ??= [0, 0],
      byKind[answerKind(c.pred, c.gold)] ??= [0, 0],
    ];
    for (const g of groups) g[1]++;
    if (ok) {
      agree++;
      for (const g of groups) g[0]++;
    } else {
      disagreements.push({
        pred: c.pred,
        gold: c.gold,
        label: c.label,
        result: r.result,
        reason: r.reason,
      });
    }
  }
  const start = performance.now();
  for (let k = 0; k < rounds; k++) {
    for (const c of cases) verifyAnswer(c.pred, c.gold, c.options ?? {});
  }
  const ms = performance.now() - start;
  return {
    casesPerSecond: rounds > 0
      ? (rounds * cases.length) / (ms / 1000)
      : cases.length / (coldMs / 1000),
    coldCasesPerSecond: cases.length / (coldMs / 1000),
    agreement: agree / cases.length,
    n: cases.length,
    maxCaseMs,
    byCategory,
    bySource,
    byKind,
    falsePositives,
    falseNegatives,
    disagreements,
  };
}

/**
 * Sorts a labelled pair into one answer kind, for per-kind agreement tables: `long_response`
 * (prose or several lines), `relation`, `equation`, `set_tuple`, `number`, `plain_text` (maths
 * without TeX commands), `latex`.
 *
 * @param pred The prediction.
 * @param gold The gold answer.
 * @returns The kind's name.
 * @example
 * ```ts
 * import { answerKind } from "./bench.ts";
 * answerKind("4^(-1/2)", "1/2"); // "plain_text"
 * ```
 */
export function answerKind(pred: string, gold: string): string {
  const both = `${pred} ${gold}`;
  if (pred.length > 160 || /\n/.test(pred.trim()) || /[a-zA-Z]{4,}\s+[a-zA-Z]{4,}/.test(pred)) {
    return "long_response";
  }
  if (/[<>≤≥]|\\(?:le|ge|leq|geq|lt|gt)(?![a-zA-Z])|\\in(?![a-zA-Z])/.test(both)) {
    return "relation";
  }
  if (/=/.test(both)) return "equation";
  if (/^\s*\$?\s*(?:\\left)?\s*[([{]|\\\{|,/.test(pred) || /^\s*[([{]/.test(gold)) {
    return "set_tuple";
  }
  if (/^[\s$]*[+-]?[\d.,]+\s*\$?$/.test(pred) && /^[\s$]*[+-]?[\d.,]+\s*\$?$/.test(gold)) {
    return "number";
  }
  return /\\[a-zA-Z]/.test(both) ? "latex" : "plain_text";
}
