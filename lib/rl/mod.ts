/**
 * Reinforcement-learning maths for capo, as pure functions over arrays and tensors: CAPO token
 * rewards, the advantage estimator registry (`capo`, `grpo`, `dr_grpo`, `rloo`, `reinforce`), the
 * policy loss registry (`ppo_clip`) with the one `aggregateLoss`, KL estimators, gradient clipping
 * and a resumable Adam.
 *
 * @example
 * ```ts
 * import { computeAdvantages, tokenRewards } from "./mod.ts";
 * const lucky = tokenRewards({ outcome: 1, wrongness: [0, 1, 0], tokenStep: [0, 1, 2] }); // [2, 1, 2]
 * const clean = tokenRewards({ outcome: 1, wrongness: [0, 0, 0], tokenStep: [0, 1, 2] }); // [2, 2, 2]
 * const adv = computeAdvantages("capo", { groups: [[lucky, clean]] });
 * // the flagged token of the lucky response gets a negative advantage; grpo would give all zeros
 * ```
 * @module
 */
export * from "./rewards.ts";
export * from "./advantages.ts";
export * from "./losses.ts";
export * from "./optim.ts";
