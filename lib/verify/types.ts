/**
 * Types shared by the answer verifier: the three-way result, the audited answer forms, and the
 * per-call options.
 * @module
 */

/** Three-way verdict: an answer the verifier cannot judge is a result, never an exception. */
export type VerifyOutcome = "equal" | "not_equal" | "unverifiable";

/** One side of a comparison as the verifier saw it, so that a wrong verdict can be audited. */
export interface AnswerForm {
  /** The text as given. */
  raw: string;
  /** The final answer extracted from the text, or `null` when there was none. */
  extracted: string | null;
  /** The canonical form compared, or `null` when extraction or parsing failed. */
  normalized: string | null;
}

/** The verdict with its reason code and both audited forms. */
export interface VerifyResult {
  /** `equal`, `not_equal` or `unverifiable`. */
  result: VerifyOutcome;
  /**
   * Why. Equal: `identical`, `exact`, `numeric`, `decimal_precision`, `percent`, `symbolic`,
   * `equation`, `structure`, `boxes_agree`. Not equal: `value_differs`, `type_mismatch`,
   * `length_differs`, `bracket_differs`, `variables_differ`, `equation_vs_value`, `unit_differs`,
   * `no_answer`,
   * `truncated`. Unverifiable: `gold_no_answer`, `gold_unparseable`, `pred_unparseable`,
   * `too_large`, `too_long`, `precision_limit`, `inconclusive`, `eval_error`, `timeout`,
   * `worker_error`, `pool_closed`, `bad_input`, `internal_error`.
   */
  reason: string;
  /** The prediction's forms. */
  pred: AnswerForm;
  /** The gold answer's forms. */
  gold: AnswerForm;
}

/** Options for {@linkcode extractAnswer}. */
export interface ExtractAnswerOptions {
  /**
   * Fall back to the last maths region (`\[…\]`, `$$…$$`, `$…$`) when no marked answer (box,
   * `####`, "the answer is", "Answer:", `<answer>` tags) is found and the text is not bare.
   * @default true
   */
  lastMath?: boolean;
  /**
   * Fall back to the last number in the text when neither a marked answer nor any maths is found
   * (`so the number is 1,000.99 m²`).
   * @default true
   */
  lastNumber?: boolean;
  /**
   * Accept a short single-line text with no marker as the answer itself (golds are usually bare).
   * @default true
   */
  bare?: boolean;
}

/** Per-call options of {@linkcode verifyAnswer}; every field is off by default. */
export interface VerifyOptions extends ExtractAnswerOptions {
  /**
   * Compare bare comma lists (`1, 2, 3`) as multisets instead of in order. Braced sets
   * (`\{1,2\}`) are always unordered; parenthesised tuples are always ordered.
   * @default false
   */
  unordered?: boolean;
  /**
   * Percent guessing: let `x` and `x/100` match when neither side writes `%` (`50` vs `0.5`). By
   * default only a written `%` is read both ways (`50\%` matches `50` and `0.5`); bare numbers
   * compare as written.
   * @default false
   */
  percent?: boolean;
  /**
   * Let an inequality in one variable match the interval it describes (`x > 3` vs `(3, \infty)`,
   * `-2 \le x \le 7` vs `[-2, 7]`): both describe the same set.
   * @default true
   */
  inequalityAsInterval?: boolean;
  /**
   * Let an equation that states a value match that value: an assignment (a name, `f(x)` or a
   * tuple of names on the left: `x = 3` vs `3`, `(p,q) = (3,2)` vs `(3,2)`, `x = 1, y = 2` vs
   * `(1, 2)`) or a derivation with a constant left side (`\sqrt{4} = 2` vs `2`). Other equations
   * are never reduced to their right-hand side (`x^2 = 4` is not `4`).
   * @default true
   */
  assignmentAsValue?: boolean;
  /**
   * Relative tolerance for constants when either side is written with a decimal point, as many
   * graders apply (`1e-4`: `3.1401` matches `3.14`, `18.0001` matches `18`). 0 compares values
   * exactly, with a written decimal matching only what rounds to it (`2.232` ≠ `2.23`).
   * At most {@linkcode MAX_RELATIVE_TOLERANCE}.
   * @default 0
   */
  relativeTolerance?: number;
  /**
   * Judge roots, logs and fractional powers for variables of either sign, as a computer algebra
   * system does (principal values: `\sqrt{x^2}` is `|x|`, so it is not `x`; `\sqrt{x}\sqrt{y}` is
   * not `\sqrt{xy}`). By default such expressions are compared for positive values of their
   * variables, as the quantities in word and physics problems are.
   * @default false
   */
  signedVariables?: boolean;
  /**
   * Seed of the random points used for symbolic equality.
   * @default 0
   */
  seed?: number;
  /**
   * Longest extracted answer compared, in characters; longer ones are `unverifiable` / `too_long`.
   * @default 1000
   */
  maxAnswerLength?: number;
}

/** The largest `relativeTolerance` the CLI and a run's `rl.verify` accept (half the value). */
export const MAX_RELATIVE_TOLERANCE = 0.5;
