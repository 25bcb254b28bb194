/**
 * capo: CAPO (Credit Assignment Policy Optimization) experiments on Deno — datasets, answer
 * verification, step splitting, GenPRM critics with caching and voting, token-level rewards and
 * advantage estimators, a TensorFlow.js transformer policy with SFT and RL training, and JSON
 * lineage records for every run. Notebooks and scripts import from here.
 *
 * @example
 * ```ts
 * import { splitSteps, verifyAnswer, vote } from "./mod.ts";
 * verifyAnswer("The answer is \\boxed{\\frac12}", "0.5").result; // "equal"
 * splitSteps("2+3=5\n\n5*4=20").length; // 2
 * vote([[1], [1, 2], []], 3, "majority"); // [0, 1, 0]
 * ```
 * @module
 */
export * from "./util/mod.ts";
export * from "./data/mod.ts";
export * from "./verify/mod.ts";
export * from "./steps/mod.ts";
export * from "./critic/mod.ts";
export * from "./model/mod.ts";
export * from "./rl/mod.ts";
export * from "./train/mod.ts";
export * from "./lineage/mod.ts";
export * from "./config/mod.ts";
export * from "./run/mod.ts";
