/**
 * Merging k critiques into per-step wrongness (CAPO §3.2): union, intersection, majority, average and
 * at-least-m, over the valid critiques only. A registry keyed by rule name, every entry with the same
 * signature, so configs and ablations pick rules by name.
 * @module
 */

/** The voting rules. */
export type VoteRule = "union" | "intersection" | "majority" | "average" | "at-least-m";

/**
 * Every vote rule name, in documentation order.
 *
 * @example
 * ```ts
 * VOTE_RULE_NAMES.includes("majority"); // true
 * ```
 */
export const VOTE_RULE_NAMES: readonly VoteRule[] = Object.freeze([
  "union",
  "intersection",
  "majority",
  "average",
  "at-least-m",
]);

/** Options for {@linkcode vote}. */
export interface VoteOptions {
  /** For `at-least-m`: how many critiques must flag a step. @default 2 */
  m?: number;
  /** For `majority`: a step flagged by exactly half the critiques is `"wrong"` or `"correct"`. @default "correct" */
  tie?: "wrong" | "correct";
}

/** What every vote rule receives. */
export interface VoteInput {
  /** Per step, how many valid critiques flag it. */
  counts: number[];
  /** Number of valid critiques (> 0). */
  total: number;
}

/** A vote rule: per-step flag counts → per-step wrongness in [0, 1]. */
export type VoteRuleFn = (input: VoteInput, options: Required<VoteOptions>) => number[];

/**
 * The vote rules by name.
 *
 * @example
 * ```ts
 * VOTE_RULES.average({ counts: [0, 2], total: 4 }, { m: 2, tie: "correct" }); // [0, 0.5]
 * ```
 */
export const VOTE_RULES: Readonly<Record<VoteRule, VoteRuleFn>> = Object.freeze({
  union: ({ counts }) => counts.map((c) => (c > 0 ? 1 : 0)),
  intersection: ({ counts, total }) => counts.map((c) => (c === total ? 1 : 0)),
  majority: ({ counts, total }, { tie }) =>
    counts.map((c) => (2 * c > total || (2 * c === total && tie === "wrong") ? 1 : 0)),
  average: ({ counts, total }) => counts.map((c) => c / total),
  "at-least-m": ({ counts }, { m }) => counts.map((c) => (c >= m ? 1 : 0)),
});

/**
 * Votes k critiques into per-step wrongness.
 *
 * @param critiques The wrong-step lists of the VALID critiques (0-based indices; out-of-range ones
 *   are ignored, duplicates count once).
 * @param numSteps Number of steps in the response.
 * @param rule The rule name.
 * @param options See {@linkcode VoteOptions}.
 * @returns Per step, wrongness in [0, 1] (0/1 for every rule but `average`); all zeros when there
 *   is no valid critique (the caller records that the response has no process signal).
 * @throws {RangeError} For an unknown rule or a bad `m` / `numSteps`.
 * @example
 * ```ts
 * vote([[1], [1, 2], []], 3, "majority"); // [0, 1, 0]
 * vote([[1], [1, 2], []], 3, "average");  // [0, 2/3, 1/3]
 * ```
 */
export function vote(
  critiques: readonly (readonly number[])[],
  numSteps: number,
  rule: VoteRule,
  options: VoteOptions = {},
): number[] {
  const { m = 2, tie = "correct" } = options;
  // Own keys only: "toString" or "constructor" must not reach Object.prototype.
  if (!Object.hasOwn(VOTE_RULES, rule)) {
    throw new RangeError(
      `Cannot vote: expected a rule in ${VOTE_RULE_NAMES.join(", ")}, got "${rule}"`,
    );
  }
  const fn = VOTE_RULES[rule];
  if (!Number.isInteger(numSteps) || numSteps < 0) {
    throw new RangeError(`Cannot vote: expected numSteps to be an integer >= 0, got ${numSteps}`);
  }
  if (!Number.isInteger(m) || m < 1) {
    throw new RangeError(`Cannot vote: expected m to be an integer >= 1, got ${m}`);
  }
  const counts = new Array<number>(numSteps).fill(0);
  if (critiques.length === 0) return counts;
  for (const wrong of critiques) {
    for (const i of new Set(wrong)) if (Number.isInteger(i) && i >= 0 && i < numSteps) counts[i]++;
  }
  return fn({ counts, total: critiques.length }, { m, tie });
}

/**
 * Parses a rule name, e.g. from a CLI flag.
 *
 * @param name The text.
 * @returns The rule.
 * @throws {RangeError} When it names no rule.
 * @example
 * ```ts
 * parseVoteRule("majority"); // "majority"
 * ```
 */
export function parseVoteRule(name: string): VoteRule {
  if (!Object.hasOwn(VOTE_RULES, name)) {
    throw new RangeError(
      `Cannot parse vote rule: expected one of ${VOTE_RULE_NAMES.join(", ")}, got "${name}"`,
    );
  }
  return name as VoteRule;
}
