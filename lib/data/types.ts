/**
 * The normalised record every capo dataset loader returns, and the envelope around a loaded
 * dataset (content sha256 and row count for lineage, plus the report of skipped rows).
 * @module
 */

/**
 * One math problem, whatever dataset it came from.
 *
 * @example
 * ```ts
 * const problem: MathProblem = {
 *   id: "gsm8k-test-0", question: "What is 2+3?", answer: "5",
 *   source: { dataset: "gsm8k", location: "gsm8k/test.jsonl", index: 0 },
 * };
 * ```
 */
export interface MathProblem {
  /** Stable identifier, unique within its dataset. */
  id: string;
  /** The problem statement shown to the policy. */
  question: string;
  /** Gold final answer as text. */
  answer: string;
  /** Reference solution text, when the dataset has one. */
  solution?: string;
  /** Reference or trace steps, when the dataset has them. */
  steps?: string[];
  /** Per step: `true` = correct, `false` = wrong, `null` = unlabelled. Same length as `steps`. */
  stepLabels?: (boolean | null)[];
  /** Where the record came from: dataset name, file path or URL, and 0-based row index. */
  source: { dataset: string; location: string; index: number };
  /** Dataset-specific extras (subject, level, model name, ...). */
  meta?: Record<string, unknown>;
}

/**
 * A row that a loader skipped because of `skipBadRows: true`.
 *
 * @example
 * ```ts
 * const row: SkippedRow = { line: 12, reason: "expected a JSON object, got \"foo\"" };
 * ```
 */
export interface SkippedRow {
  /** 1-based line number (JSONL) or 1-based row number (JSON array, Parquet). */
  line: number;
  /** What was wrong with it. */
  reason: string;
}

/**
 * A loaded dataset: records plus what lineage needs to identify the input.
 *
 * @typeParam T The record type, {@linkcode MathProblem} for the known-dataset loaders.
 * @example
 * ```ts
 * const ds: LoadedDataset = {
 *   name: "gsm8k", location: "data/test.jsonl", sha256: "ab12...", rows: 0, records: [], skipped: [],
 * };
 * ```
 */
export interface LoadedDataset<T = MathProblem> {
  /** Dataset name, e.g. "gsm8k". */
  name: string;
  /** The path or URL it was loaded from. */
  location: string;
  /** Hex sha256 of the file's bytes. */
  sha256: string;
  /** Number of rows read from the file (records + skipped). */
  rows: number;
  /** The normalised records. */
  records: T[];
  /** Rows that were skipped (only with `skipBadRows: true`; otherwise always empty). */
  skipped: SkippedRow[];
}
