/**
 * Advantage estimators, keyed by name, all with one signature `(input, options) → advantages`.
 * `capo` follows CAPO §3 (normalise token rewards over the pooled tokens of a group, no discount);
 * `grpo`, `dr_grpo`, `rloo` and `reinforce` reduce each response to one scalar and broadcast it, as
 * verl's `core_algos.py` does — which is exactly what erases CAPO's per-token signal.
 * @module
 */

/** Input of every advantage estimator. */
export interface AdvantageInput {
  /** Token rewards: group (one prompt) → response → token, `[groups][n][numTokens]`. */
  groups: readonly (readonly (readonly number[])[])[];
  /**
   * Scalar reward per response for the sequence-level estimators, `[groups][n]`. When absent, a
   * response's scalar is the mean of its token rewards (0 for an empty response); with
   * `W_process = 0` that is exactly `W_whole · r_v`.
   */
  scores?: readonly (readonly number[])[];
}

/** Options shared by the advantage estimators. */
export interface AdvantageOptions {
  /** Added to the standard deviation before dividing. @default 1e-6 */
  epsilon?: number;
}

/** An advantage estimator: same shape out as `input.groups`. */
export type AdvantageEstimator = (
  input: AdvantageInput,
  options?: AdvantageOptions,
) => number[][][];

/** Names of the registered advantage estimators. */
export type AdvantageEstimatorName = "capo" | "grpo" | "dr_grpo" | "rloo" | "reinforce";

function mean(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Population standard deviation (ddof 0): a group of one has std 0, hence advantage 0. */
function std(xs: readonly number[], mu: number): number {
  return xs.length === 0 ? 0 : Math.sqrt(mean(xs.map((x) => (x - mu) ** 2)));
}

/** `(x − mu) / (sigma + ε)`, and 0 when the denominator is 0 (a constant group, ε = 0). */
function normalise(x: number, mu: number, sigma: number, epsilon: number): number {
  const denominator = sigma + epsilon;
  return denominator === 0 ? 0 : (x - mu) / denominator;
}

function responseScores(input: AdvantageInput): number[][] {
  return input.groups.map((group, g) =>
    group.map((tokens, i) => input.scores?.[g]?.[i] ?? mean(tokens))
  );
}

function broadcast(input: AdvantageInput, perResponse: number[][]): number[][][] {
  return input.groups.map((group, g) =>
    group.map((tokens, i) => tokens.map(() => perResponse[g][i]))
  );
}

/** CAPO: `A_t = (R_t − mean_pool) / (std_pool + ε)` over every token of every response in the group. */
function capoAdvantages(input: AdvantageInput, options: AdvantageOptions = {}): number[][][] {
  const { epsilon = 1e-6 } = options;
  return input.groups.map((group) => {
    const pool = group.flat();
    const mu = mean(pool);
    const sigma = std(pool, mu);
    return group.map((tokens) => tokens.map((r) => normalise(r, mu, sigma, epsilon)));
  });
}

/** GRPO: scalar reward per response, normalised by its group's mean and std, broadcast to tokens. */
function grpoAdvantages(input: AdvantageInput, options: AdvantageOptions = {}): number[][][] {
  const { epsilon = 1e-6 } = options;
  const per = responseScores(input).map((scores) => {
    const mu = mean(scores);
    const sigma = std(scores, mu);
    return scores.map((s) => normalise(s, mu, sigma, epsilon));
  });
  return broadcast(input, per);
}

/** Dr. GRPO: like GRPO without the division by the group std. */
function drGrpoAdvantages(input: AdvantageInput, _options: AdvantageOptions = {}): number[][][] {
  const per = responseScores(input).map((scores) => {
    const mu = mean(scores);
    return scores.map((s) => s - mu);
  });
  return broadcast(input, per);
}

/** RLOO: each response's baseline is the mean of the other responses of its group (0 when alone). */
function rlooAdvantages(input: AdvantageInput, _options: AdvantageOptions = {}): number[][][] {
  const per = responseScores(input).map((scores) => {
    const total = scores.reduce((a, b) => a + b, 0);
    const n = scores.length;
    return scores.map((s) => n > 1 ? s - (total - s) / (n - 1) : 0);
  });
  return broadcast(input, per);
}

/** REINFORCE with a batch baseline: scalar reward minus the mean over every response of the batch. */
function reinforceAdvantages(input: AdvantageInput, _options: AdvantageOptions = {}): number[][][] {
  const scores = responseScores(input);
  const mu = mean(scores.flat());
  return broadcast(input, scores.map((group) => group.map((s) => s - mu)));
}

/**
 * The advantage estimator registry. Every entry takes `{ groups, scores? }` and returns advantages in
 * the shape of `groups`. Only `capo` keeps per-token differences inside a response.
 *
 * @example
 * ```ts
 * const groups = [[[2, 1], [0, 0]]];
 * const a = ADVANTAGE_ESTIMATORS.capo({ groups });
 * // pool [2, 1, 0, 0]: mean 0.75, std ≈ 0.829 → a ≈ [[[1.508, 0.302], [-0.905, -0.905]]]
 * ```
 */
export const ADVANTAGE_ESTIMATORS: Readonly<Record<AdvantageEstimatorName, AdvantageEstimator>> =
  Object.freeze({
    capo: capoAdvantages,
    grpo: grpoAdvantages,
    dr_grpo: drGrpoAdvantages,
    rloo: rlooAdvantages,
    reinforce: reinforceAdvantages,
  });

/**
 * True when the named estimator uses per-token rewards (and so needs the critic's verdicts).
 *
 * @param name Estimator name.
 * @returns Whether per-token rewards reach the advantages.
 * @example
 * ```ts
 * isTokenLevelEstimator("capo"); // true
 * isTokenLevelEstimator("grpo"); // false
 * ```
 */
export function isTokenLevelEstimator(name: AdvantageEstimatorName): boolean {
  return name === "capo";
}

/**
 * Looks up an estimator by name and applies it.
 *
 * @param name A key of {@linkcode ADVANTAGE_ESTIMATORS}.
 * @param input Token rewards per group (and optional scalar scores).
 * @param options See {@linkcode AdvantageOptions}.
 * @returns Advantages in the shape of `input.groups`.
 * @throws {RangeError} When `name` is not a registered estimator (the message lists the valid ones).
 * @example
 * ```ts
 * const adv = computeAdvantages("grpo", { groups: [[[2, 1], [0]]], scores: [[2, 0]] });
 * // adv ≈ [[[1, 1], [-1]]]
 * ```
 */
export function computeAdvantages(
  name: string,
  input: AdvantageInput,
  options: AdvantageOptions = {},
): number[][][] {
  return getAdvantageEstimator(name)(input, options);
}

/**
 * Returns the registered estimator of that name.
 *
 * @param name Estimator name.
 * @returns The estimator.
 * @throws {RangeError} When the name is unknown.
 * @example
 * ```ts
 * const capo = getAdvantageEstimator("capo");
 * ```
 */
export function getAdvantageEstimator(name: string): AdvantageEstimator {
  if (!Object.hasOwn(ADVANTAGE_ESTIMATORS, name)) {
    throw new RangeError(
      `Cannot find advantage estimator: expected one of ${
        Object.keys(ADVANTAGE_ESTIMATORS).join(", ")
      }, got "${name}"`,
    );
  }
  return ADVANTAGE_ESTIMATORS[name as AdvantageEstimatorName];
}
