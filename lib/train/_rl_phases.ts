/**
 * Phases of the RL loop (`rl.ts` calls them in order): prompt selection, critic accounting
 * (counters by failure kind), and the PPO update over minibatches (PPO-clip as in verl's actor).
 * @module
 */
import type { CritiqueOutcome } from "../critic/mod.ts";
import { chooseBackend, createPolicy, type Policy, tf, tokenLogProbs } from "../model/mod.ts";
import { policyLoss } from "../rl/losses.ts";
import { type Adam, clipByGlobalNorm } from "../rl/optim.ts";
import { createRng } from "../util/mod.ts";
import {
  idsTensor,
  padBatch,
  responseTensor,
  type SequencePair,
  shuffledIndices,
} from "./_batch.ts";
import { loadTrainState } from "./checkpoint.ts";
import type { RlConfig } from "./config.ts";
import type { EvalMetrics } from "./evaluate.ts";

/**
 * The prompts of iteration `it` (1-based): consecutive slices of a seeded per-epoch permutation of
 * the training problems. A pure function of (seed, iteration), so a resumed run picks the same ones.
 */
export function selectPrompts<T>(
  problems: readonly T[],
  it: number,
  count: number,
  seed: number,
): T[] {
  const out: T[] = [];
  for (let k = 0; k < count; k++) {
    const flat = (it - 1) * count + k;
    const epoch = Math.floor(flat / problems.length);
    const order = shuffledIndices(problems.length, createRng(seed).fork(`prompts ${epoch}`).next);
    out.push(problems[order[flat % problems.length]]);
  }
  return out;
}

/**
 * Critic counters of one batch for metrics and records: responses, fallbacks (no critique parsed),
 * and the client's numeric counters (failures, parse failures, retries, by kind where it counts them).
 */
export function criticMetrics(
  outcomes: readonly CritiqueOutcome[],
  metrics: object | undefined,
): Record<string, number> {
  const out: Record<string, number> = {
    responses: outcomes.length,
    fallbacks: outcomes.filter((o) => !o.hasSignal).length,
  };
  const add = (prefix: string, value: unknown) => {
    if (typeof value === "number" && Number.isFinite(value)) out[prefix] = value;
    else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) add(`${prefix}_${k}`, v);
    }
  };
  for (const [key, value] of Object.entries(metrics ?? {})) {
    if (key === "responses" || key === "fallbacks" || key === "wallMs") continue;
    add(key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), value);
  }
  out.failures = Object.entries(out)
    .filter(([k]) => k.startsWith("failures_"))
    .reduce((sum, [, v]) => sum + v, 0);
  return out;
}

/** One rollout as the update phase needs it. */
export interface UpdateRollout extends SequencePair {
  /** Log-probabilities of the response tokens under the sampling policy. */
  oldLogProbs: readonly number[];
  /** Per response token. */
  advantages: readonly number[];
}

/** Mean diagnostics of one update phase. */
export interface UpdateMetrics {
  pg_loss: number;
  clip_fraction: number;
  approx_kl: number;
  entropy: number;
  kl: number;
  grad_norm: number;
  optimizer_steps: number;
}

/**
 * PPO epochs over shuffled minibatches: per minibatch one forward with gradient, the registered
 * policy loss, global-norm clipping and one Adam step. Returns mean diagnostics.
 */
export async function ppoUpdate(
  policy: Policy,
  refPolicy: Policy | undefined,
  adam: Adam,
  rollouts: readonly UpdateRollout[],
  config: Readonly<RlConfig>,
  next: () => number,
  padId: number,
): Promise<UpdateMetrics> {
  const sums: Record<string, number> = {};
  let steps = 0;
  for (let epoch = 0; epoch < config.epochs; epoch++) {
    const order = shuffledIndices(rollouts.length, next);
    for (let start = 0; start < order.length; start += config.minibatch) {
      const part = order.slice(start, start + config.minibatch).map((i) => rollouts[i]);
      // Micro-batches: one forward per chunk, gradients summed weighted by the chunk's share of
      // rows, then one clipped Adam step for the minibatch (large vocabularies need small chunks).
      const size = config.microBatch > 0 ? config.microBatch : part.length;
      const chunks: UpdateRollout[][] = [];
      for (let c = 0; c < part.length; c += size) chunks.push(part.slice(c, c + size));
      let summed: tf.Tensor[] | undefined;
      const chunkSums: Record<string, number> = {};
      for (const chunk of chunks) {
        const weight = chunk.length / part.length;
        const { grads, metrics } = await chunkGradients(policy, refPolicy, chunk, config, padId);
        const scaled = chunks.length === 1 ? grads : grads.map((g) => tf.mul(g, weight));
        if (scaled !== grads) tf.dispose(grads);
        if (summed) {
          const next = summed.map((g, i) => tf.add(g, scaled[i]));
          tf.dispose([...summed, ...scaled]);
          summed = next;
        } else summed = scaled;
        for (const [key, value] of Object.entries(metrics)) {
          chunkSums[key] = (chunkSums[key] ?? 0) + weight * value;
        }
      }
      const clipped = clipByGlobalNorm(summed!, config.maxGradNorm);
      adam.apply(clipped.grads);
      chunkSums.grad_norm = (await clipped.norm.data())[0];
      for (const [key, value] of Object.entries(chunkSums)) sums[key] = (sums[key] ?? 0) + value;
      tf.dispose([...summed!, ...clipped.grads, clipped.norm]);
      steps++;
    }
  }
  const mean = (key: string) => (sums[key] ?? 0) / Math.max(1, steps);
  return {
    pg_loss: mean("pg_loss"),
    clip_fraction: mean("clip_fraction"),
    approx_kl: mean("approx_kl"),
    entropy: mean("entropy"),
    kl: mean("kl"),
    grad_norm: mean("grad_norm"),
    optimizer_steps: steps,
  };
}

/** One micro-batch's loss gradients (in `policy.variables` order; the caller owns them) and metrics. */
async function chunkGradients(
  policy: Policy,
  refPolicy: Policy | undefined,
  part: readonly UpdateRollout[],
  config: Readonly<RlConfig>,
  padId: number,
): Promise<{ grads: tf.Tensor[]; metrics: Record<string, number> }> {
  const batch = padBatch(part, padId, policy.config.blockSize);
  const ids = idsTensor(batch);
  const mask = tf.tensor2d(batch.mask);
  const oldLogProbs = responseTensor(batch, part.map((r) => r.oldLogProbs));
  const advantages = responseTensor(batch, part.map((r) => r.advantages));
  const refLogProbs = refPolicy && config.klCoef > 0
    ? tf.tidy(() => tokenLogProbs(refPolicy, ids).logProbs)
    : undefined;
  let metrics: Record<string, tf.Scalar> = {};
  const { value, grads } = tf.variableGrads(() => {
    const { logProbs, entropy } = tokenLogProbs(policy, ids);
    const out = policyLoss(config.loss, {
      logProbs,
      oldLogProbs,
      advantages,
      mask,
      refLogProbs,
      entropy,
    }, {
      clipLow: config.clipLow,
      clipHigh: config.clipHigh,
      aggregation: config.aggregation,
      klCoef: config.klCoef,
      klEstimator: config.klEstimator,
      entropyCoef: config.entropyCoef,
    });
    metrics = out.metrics;
    return out.loss;
  }, policy.variables);
  const values: Record<string, number> = {};
  for (const [key, scalar] of Object.entries(metrics)) values[key] = (await scalar.data())[0];
  tf.dispose([ids, mask, oldLogProbs, advantages, value, ...Object.values(metrics)]);
  if (refLogProbs) refLogProbs.dispose();
  return { grads: policy.variables.map((v) => grads[v.name]), metrics: values };
}

/** Eval metrics as flat metric keys (`eval/accuracy`, ...); absent process metrics stay absent. */
export function prefixed(prefix: string, m: EvalMetrics): Record<string, number> {
  const out: Record<string, number> = {
    [`${prefix}accuracy`]: m.accuracy,
    [`${prefix}mean_length`]: m.meanLength,
  };
  if (m.processAccuracy !== null) out[`${prefix}process_accuracy`] = m.processAccuracy;
  if (m.luckyRate !== null) out[`${prefix}lucky_rate`] = m.luckyRate;
  return out;
}

/** Switches to `config.backend` unless it is already current (`auto` keeps whatever runs). */
export async function ensureBackend(config: Readonly<RlConfig>): Promise<string> {
  const wanted = config.backend === "tensorflow-gpu" ? "tensorflow" : config.backend;
  if (config.backend !== "auto" && tf.getBackend() !== wanted) {
    return (await chooseBackend(config.backend)).name;
  }
  return tf.getBackend();
}

/** A copy of the policy's weights (the KL reference). */
export async function snapshot(policy: Policy): Promise<Record<string, Float32Array>> {
  const out: Record<string, Float32Array> = {};
  for (const [name, v] of Object.entries(policy.params)) out[name] = await v.data() as Float32Array;
  return out;
}

/** The frozen start policy for the KL term: from memory, or from `checkpointDir/start` on resume. */
export async function refPolicyFrom(
  policy: Policy,
  weights: Record<string, Float32Array> | undefined,
  checkpointDir: string | undefined,
): Promise<Policy> {
  if (weights) return createPolicy(policy.config, weights);
  const ref = createPolicy(policy.config);
  const state = checkpointDir ? await loadTrainState(`${checkpointDir}/start`, ref) : undefined;
  if (!state) {
    ref.dispose();
    throw new Error(`Cannot resume with KL: expected the start policy in ${checkpointDir}/start`);
  }
  return ref;
}
