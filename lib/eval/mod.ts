/**
 * Harnesses that measure capo itself: the critic against step labels (precision, recall, F1,
 * first-error accuracy per vote rule and k), the voting ablation over critic noise, and the critic
 * throughput benchmark. They may read datasets; the critic client never does.
 *
 * @example
 * ```ts
 * import { runVotingAblation } from "./mod.ts";
 * const { rows, shape } = await runVotingAblation({ ks: [1, 4], rules: ["majority"] }, { size: 60 });
 * ```
 * @module
 */
export * from "./critic_eval.ts";
export * from "./voting_ablation.ts";
export * from "./critic_bench.ts";
