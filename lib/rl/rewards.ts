/**
 * Token-level rewards, CAPO §3 (arXiv 2508.02298): every response token gets the verifier's
 * outcome reward scaled by `W_whole`, minus `W_process` times the voted wrongness of its step.
 * The asymmetric default (2 / 1) makes any token of a correct answer outrank any token of a wrong one.
 * @module
 */
import type { VerifyOptions } from "../verify/mod.ts";

/** Input of {@linkcode tokenRewards}: one response. */
export interface TokenRewardsInput {
  /** Verifier outcome `r_v`: 1 when the final answer is right, else 0. */
  outcome: number;
  /** Voted wrongness per step, each in [0, 1] (0/1 for union/intersection/majority, a fraction for average). */
  wrongness: readonly number[];
  /** Step index of each response token (from `tokenStepIndex`), `[numTokens]`. */
  tokenStep: readonly number[];
}

/** Options for {@linkcode tokenRewards}. */
export interface TokenRewardsOptions {
  /** Weight of the whole-response (verifier) reward `W_whole`. @default 2 */
  wWhole?: number;
  /** Weight of the process (critic) penalty `W_process`. @default 1 */
  wProcess?: number;
}

/**
 * Computes the CAPO token rewards `R_t = W_whole · r_v − W_process · v_t` of one response.
 *
 * A token whose step index has no wrongness entry (a step the critic never saw) gets `v_t = 0`.
 *
 * @param input The outcome, the per-step wrongness and the step of each token.
 * @param options See {@linkcode TokenRewardsOptions}.
 * @returns One reward per token, `[numTokens]`.
 * @throws {RangeError} When the outcome is not in [0, 1], a wrongness is outside [0, 1] or a step
 * index is negative.
 * @example
 * ```ts
 * const rewards = tokenRewards({ outcome: 1, wrongness: [0, 1], tokenStep: [0, 0, 1] });
 * // rewards = [2, 2, 1]
 * ```
 */
export function tokenRewards(
  input: TokenRewardsInput,
  options: TokenRewardsOptions = {},
): number[] {
  const { wWhole = 2, wProcess = 1 } = options;
  const { outcome, wrongness, tokenStep } = input;
  if (!(outcome >= 0 && outcome <= 1)) {
    throw new RangeError(
      `Cannot compute token rewards: expected outcome in [0, 1], got ${outcome}`,
    );
  }
  wrongness.forEach((w, i) => {
    if (!(w >= 0 && w <= 1)) {
      throw new RangeError(
        `Cannot compute token rewards: expected wrongness[${i}] in [0, 1], got ${w}`,
      );
    }
  });
  const base = wWhole * outcome;
  return tokenStep.map((step, t) => {
    if (!(Number.isInteger(step) && step >= 0)) {
      throw new RangeError(
        `Cannot compute token rewards: expected tokenStep[${t}] to be a step index, got ${step}`,
      );
    }
    return base - wProcess * (wrongness[step] ?? 0);
  });
}

/**
 * How rewards and evaluations read a response's answer (the one rule both use): the response must
 * mark its final answer — a box, "the answer is", `####`, an answer tag or heading — and nothing is
 * guessed from its last number or last formula, so an unfinished response earns nothing.
 */
export const REWARD_VERIFY_OPTIONS: Readonly<VerifyOptions> = Object.freeze({
  lastNumber: false,
  lastMath: false,
});

/**
 * {@linkcode REWARD_VERIFY_OPTIONS} with a run's verifier settings (`rl.verify`) on top; the
 * extraction rule stays.
 *
 * @param settings The run's `rl.verify` section (or any subset of it).
 * @returns Options for `verifyAnswer` / `extractAnswer`.
 * @example
 * ```ts
 * import { rewardVerifyOptions } from "./rewards.ts";
 * rewardVerifyOptions({ signedVariables: true }).lastNumber; // false
 * ```
 */
export function rewardVerifyOptions(
  settings: Partial<VerifyOptions> = {},
): Readonly<VerifyOptions> {
  return Object.freeze({ ...settings, ...REWARD_VERIFY_OPTIONS });
}
