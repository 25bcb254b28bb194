/**
 * Answer verifier: final-answer extraction and a three-way, audited equivalence check between a
 * model's answer and the gold (DESIGN §5), plus a Worker pool with a per-case time budget.
 *
 * @example
 * ```ts
 * import { extractAnswer, verifyAnswer } from "./mod.ts";
 * extractAnswer("... so $\\boxed{1\\frac12}$").answer; // "1\\frac12"
 * verifyAnswer("The answer is 1,000.", "1000").result; // "equal"
 * verifyAnswer("(1,0)", "1,000").result; // "not_equal"
 * ```
 * @module
 */
export * from "./types.ts";
export * from "./extract.ts";
export * from "./verify.ts";
export * from "./pool.ts";
