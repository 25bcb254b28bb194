/**
 * Answer verifier: final-answer extraction and a three-way, audited equivalence check
 * between a model's answer and the gold — exact rationals, bare LaTeX, symbolic equality, sets,
 * tuples, intervals, matrices, equations, inequalities, percentages, units, degrees, complex
 * numbers — with size and magnitude caps, a Worker pool with a per-case time budget, a JSONL batch
 * front end (the benchmark is bench.ts). Also re-exports the critic's exact arithmetic (`arithmetic.ts`).
 *
 * @example
 * ```ts
 * import { extractAnswer, VerifierPool, verifyAnswer } from "./mod.ts";
 * extractAnswer("... so $\\boxed{1\\frac12}$").answer; // "1\\frac12"
 * verifyAnswer("The answer is 1,000.", "1000").result; // "equal"
 * verifyAnswer("(1,0)", "1,000").result; // "not_equal"
 * verifyAnswer("x^2 = 9", "3").reason; // "equation_vs_value"
 * const pool = new VerifierPool({ size: 2, timeoutMs: 2000 });
 * const results = await pool.verifyMany([{ pred: "\\boxed{2^{10}}", gold: "1024" }]);
 * pool.close();
 * ```
 * @module
 */
export * from "./types.ts";
export * from "./extract.ts";
export * from "./verify.ts";
export * from "./pool.ts";
export * from "./jsonl.ts";
export * from "./arithmetic.ts";
