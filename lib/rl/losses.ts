/**
 * Policy losses, keyed by name, and the one `aggregateLoss` every loss reduces through.
 * `ppo_clip` is the PPO clipped surrogate with separate low/high ε (DAPO's clip-higher), an optional
 * KL penalty to the starting policy (k1/k2/k3, Schulman's estimators) and an optional entropy bonus;
 * the aggregation modes follow verl's `agg_loss` in `core_algos.py`.
 * @module
 */
import { tf } from "../model/mod.ts";

/** How per-token loss values `[batch, seqLen]` reduce to one scalar (verl's `loss_agg_mode`). */
export type AggregationMode =
  | "token-mean"
  | "seq-mean-token-sum"
  | "seq-mean-token-mean"
  | "seq-mean-token-sum-norm";

/** The valid aggregation modes. */
export const AGGREGATION_MODES: readonly AggregationMode[] = Object.freeze([
  "token-mean",
  "seq-mean-token-sum",
  "seq-mean-token-mean",
  "seq-mean-token-sum-norm",
]);

/** Options for {@linkcode aggregateLoss}. */
export interface AggregateLossOptions {
  /** Constant divisor of `seq-mean-token-sum-norm` (Dr. GRPO). @default values.shape[1] */
  normLength?: number;
}

/**
 * Reduces masked per-token values to a scalar:
 * `token-mean` = Σ v·m / Σ m; `seq-mean-token-sum` = mean over rows of Σ_t v·m;
 * `seq-mean-token-mean` = mean over rows of (Σ_t v·m / Σ_t m); `seq-mean-token-sum-norm` =
 * Σ v·m / (rows · normLength). Empty rows count as rows; empty denominators count as 1.
 *
 * @param values Per-token values, `[batch, seqLen]`, float32.
 * @param mask 1 for tokens that count, 0 for padding, `[batch, seqLen]`, float32.
 * @param mode See {@linkcode AggregationMode}.
 * @param options See {@linkcode AggregateLossOptions}.
 * @returns The scalar; the caller owns it.
 * @throws {RangeError} When the mode is unknown or the shapes differ.
 * @example
 * ```ts
 * const v = tf.tensor2d([[1, 2], [3, 0]]);
 * const m = tf.tensor2d([[1, 1], [1, 0]]);
 * const loss = aggregateLoss(v, m, "seq-mean-token-mean"); // (1.5 + 3) / 2 = 2.25
 * ```
 */
export function aggregateLoss(
  values: tf.Tensor2D,
  mask: tf.Tensor2D,
  mode: AggregationMode,
  options: AggregateLossOptions = {},
): tf.Scalar {
  const { normLength = values.shape[1] } = options;
  if (values.shape.join() !== mask.shape.join()) {
    throw new RangeError(
      `Cannot aggregate loss: expected mask of shape [${values.shape}], got [${mask.shape}]`,
    );
  }
  return tf.tidy(() => {
    const masked = tf.mul(values, mask);
    switch (mode) {
      case "token-mean":
        return tf.div(tf.sum(masked), tf.maximum(tf.sum(mask), 1));
      case "seq-mean-token-sum":
        return tf.mean(tf.sum(masked, 1));
      case "seq-mean-token-mean":
        return tf.mean(tf.div(tf.sum(masked, 1), tf.maximum(tf.sum(mask, 1), 1)));
      case "seq-mean-token-sum-norm":
        return tf.div(tf.sum(masked), values.shape[0] * normLength);
      default:
        throw new RangeError(
          `Cannot aggregate loss: expected mode one of ${
            AGGREGATION_MODES.join(", ")
          }, got "${mode}"`,
        );
    }
  }) as tf.Scalar;
}

/** KL estimator names (Schulman, "Approximating KL divergence"). */
export type KlEstimator = "k1" | "k2" | "k3";

/**
 * Per-token KL estimate of the current policy from a reference policy.
 * k1 = log p − log q; k2 = ½ (log p − log q)²; k3 = exp(log q − log p) − (log q − log p) − 1,
 * with the log ratio clamped to [−10, 10] for k3 as verl's `low_var_kl` does.
 *
 * @param logProbs Current policy log-probabilities, `[batch, seqLen]`.
 * @param refLogProbs Reference log-probabilities, `[batch, seqLen]`.
 * @param estimator Which estimator.
 * @returns Per-token estimates, `[batch, seqLen]`; the caller owns them.
 * @throws {RangeError} When the estimator is unknown.
 * @example
 * ```ts
 * const kl = klPenalty(tf.tensor2d([[-1]]), tf.tensor2d([[-2]]), "k1"); // [[1]]
 * ```
 */
export function klPenalty(
  logProbs: tf.Tensor2D,
  refLogProbs: tf.Tensor2D,
  estimator: KlEstimator,
): tf.Tensor2D {
  return tf.tidy(() => {
    const diff = tf.sub(logProbs, refLogProbs);
    if (estimator === "k1") return diff;
    if (estimator === "k2") return tf.mul(tf.square(diff), 0.5);
    if (estimator === "k3") {
      const r = tf.clipByValue(tf.neg(diff), -10, 10);
      return tf.sub(tf.sub(tf.exp(r), r), 1);
    }
    throw new RangeError(`Cannot estimate KL: expected one of k1, k2, k3, got "${estimator}"`);
  }) as tf.Tensor2D;
}

/** Input of every policy loss; all tensors `[batch, seqLen]`, float32, owned by the caller. */
export interface PolicyLossInput {
  /** Log-probabilities of the sampled tokens under the policy being trained (with gradient). */
  logProbs: tf.Tensor2D;
  /** Log-probabilities under the policy that sampled them. */
  oldLogProbs: tf.Tensor2D;
  /** Per-token advantages. */
  advantages: tf.Tensor2D;
  /** 1 for response tokens, 0 for prompt and padding. */
  mask: tf.Tensor2D;
  /** Log-probabilities under the starting (reference) policy; needed when `klCoef > 0`. */
  refLogProbs?: tf.Tensor2D;
  /** Per-token entropy of the policy; needed when `entropyCoef > 0`. */
  entropy?: tf.Tensor2D;
}

/** Options of the policy losses. */
export interface PolicyLossOptions {
  /** Lower clip ε: the ratio is kept above 1 − clipLow. @default 0.2 */
  clipLow?: number;
  /** Upper clip ε: the ratio is kept below 1 + clipHigh. @default 0.2 */
  clipHigh?: number;
  /** How token losses reduce to a scalar. @default "token-mean" */
  aggregation?: AggregationMode;
  /** Weight of the KL penalty to the reference policy (0 = off). @default 0 */
  klCoef?: number;
  /** KL estimator. @default "k3" */
  klEstimator?: KlEstimator;
  /** Weight of the entropy bonus (subtracted from the loss; 0 = off). @default 0 */
  entropyCoef?: number;
}

/** A loss and its diagnostics; the caller owns (and must dispose) every tensor. */
export interface PolicyLossResult {
  /** The scalar to minimise. */
  loss: tf.Scalar;
  /** Scalars: `pg_loss`, `clip_fraction`, `approx_kl`, and `kl` / `entropy` when those terms are on. */
  metrics: Record<string, tf.Scalar>;
}

/** A policy loss: same signature for every registered name. */
export type PolicyLoss = (input: PolicyLossInput, options?: PolicyLossOptions) => PolicyLossResult;

/** Names of the registered policy losses. */
export type PolicyLossName = "ppo_clip";

/** PPO clip: max(−A·ρ, −A·clip(ρ, 1 − ε_low, 1 + ε_high)), aggregated, plus KL, minus entropy. */
function ppoClipLoss(input: PolicyLossInput, options: PolicyLossOptions = {}): PolicyLossResult {
  const {
    clipLow = 0.2,
    clipHigh = 0.2,
    aggregation = "token-mean",
    klCoef = 0,
    klEstimator = "k3",
    entropyCoef = 0,
  } = options;
  const { logProbs, oldLogProbs, advantages, mask, refLogProbs, entropy } = input;
  if (klCoef > 0 && !refLogProbs) {
    throw new TypeError(
      "Cannot compute ppo_clip loss: expected refLogProbs when klCoef > 0, got none",
    );
  }
  if (entropyCoef > 0 && !entropy) {
    throw new TypeError(
      "Cannot compute ppo_clip loss: expected entropy when entropyCoef > 0, got none",
    );
  }
  const metrics: Record<string, tf.Scalar> = {};
  const loss = tf.tidy(() => {
    const logRatio = tf.sub(logProbs, oldLogProbs); // [B, T]
    const ratio = tf.exp(logRatio);
    const unclipped = tf.mul(tf.neg(advantages), ratio);
    const clipped = tf.mul(tf.neg(advantages), tf.clipByValue(ratio, 1 - clipLow, 1 + clipHigh));
    const pgLoss = aggregateLoss(tf.maximum(unclipped, clipped), mask, aggregation);
    metrics.pg_loss = tf.keep(pgLoss);
    const wasClipped = tf.cast(tf.greater(clipped, unclipped), "float32") as tf.Tensor2D;
    metrics.clip_fraction = tf.keep(aggregateLoss(wasClipped, mask, "token-mean"));
    const approxKl = tf.mul(tf.square(logRatio), 0.5) as tf.Tensor2D;
    metrics.approx_kl = tf.keep(aggregateLoss(approxKl, mask, "token-mean"));
    let total: tf.Scalar = pgLoss;
    if (klCoef > 0 && refLogProbs) {
      const kl = aggregateLoss(klPenalty(logProbs, refLogProbs, klEstimator), mask, aggregation);
      metrics.kl = tf.keep(kl);
      total = tf.add(total, tf.mul(kl, klCoef));
    }
    if (entropy) {
      const ent = aggregateLoss(entropy, mask, aggregation);
      metrics.entropy = tf.keep(ent);
      if (entropyCoef > 0) total = tf.sub(total, tf.mul(ent, entropyCoef));
    }
    return total === pgLoss ? tf.clone(total) : total;
  });
  return { loss, metrics };
}

/**
 * The policy loss registry.
 *
 * @example
 * ```ts
 * const { loss, metrics } = POLICY_LOSSES.ppo_clip({ logProbs, oldLogProbs, advantages, mask });
 * ```
 */
export const POLICY_LOSSES: Readonly<Record<PolicyLossName, PolicyLoss>> = Object.freeze({
  ppo_clip: ppoClipLoss,
});

/**
 * Looks up a policy loss by name and applies it.
 *
 * @param name A key of {@linkcode POLICY_LOSSES}.
 * @param input Log-probabilities, advantages and mask, `[batch, seqLen]`.
 * @param options See {@linkcode PolicyLossOptions}.
 * @returns `{ loss, metrics }`; the caller owns every tensor.
 * @throws {RangeError} When the name is unknown (the message lists the valid ones).
 * @example
 * ```ts
 * const { loss, metrics } = policyLoss("ppo_clip", input, { clipHigh: 0.28 });
 * ```
 */
export function policyLoss(
  name: string,
  input: PolicyLossInput,
  options: PolicyLossOptions = {},
): PolicyLossResult {
  if (!Object.hasOwn(POLICY_LOSSES, name)) {
    throw new RangeError(
      `Cannot find policy loss: expected one of ${
        Object.keys(POLICY_LOSSES).join(", ")
      }, got "${name}"`,
    );
  }
  return POLICY_LOSSES[name as PolicyLossName](input, options);
}
