/**
 * Supervised fine-tuning from scratch on synthetic traces:
 * prompt (bos + `formatSyntheticPrompt`) + response + eos, NLL on the response tokens only, Adam
 * with warm-up and cosine decay, gradient clipping by global norm.
 * @module
 */
import { formatSyntheticPrompt, type SftTrace } from "../data/mod.ts";
import { CharTokenizer, type Policy, tf, type Tokenizer, tokenLogProbs } from "../model/mod.ts";
import { aggregateLoss } from "../rl/losses.ts";
import { Adam, clipByGlobalNorm } from "../rl/optim.ts";
import { createRng } from "../util/mod.ts";
import { encodePrompt, idsTensor, padBatch, shuffledIndices } from "./_batch.ts";
import { formatDuration, type TrainHooks } from "./hooks.ts";

/** Options for {@linkcode trainSft}. */
export interface TrainSftOptions {
  /** Tokenizer. @default new CharTokenizer() */
  tokenizer?: Tokenizer;
  /** Optimizer steps. @default 1000 */
  steps?: number;
  /** Traces per step. @default 32 */
  batchSize?: number;
  /** Peak learning rate. @default 2e-3 */
  lr?: number;
  /** Linear warm-up steps. @default 50 */
  warmupSteps?: number;
  /** Final learning rate as a fraction of the peak (cosine decay). @default 0.1 */
  minLrRatio?: number;
  /** Gradient clipping by global norm. @default 1 */
  maxGradNorm?: number;
  /** Decoupled weight decay. @default 0 */
  weightDecay?: number;
  /** Seed of the batch order. @default 0 */
  seed?: number;
  /** Report metrics and progress every this many steps. @default 50 */
  logEvery?: number;
}

/** What {@linkcode trainSft} returns. */
export interface TrainSftResult {
  /** Steps run. */
  steps: number;
  /** Mean response-token NLL over the last `logEvery` steps (nats). */
  finalLoss: number;
  /** Wall time in ms. */
  wallMs: number;
}

/**
 * Trains `policy` in place on SFT traces.
 *
 * @param policy The policy to train (its variables are updated).
 * @param traces Traces from `generateSftTraces`.
 * @param options See {@linkcode TrainSftOptions}.
 * @param hooks `onMetrics(step, { loss, lr, grad_norm, num_tensors })` and `onProgress(line)`.
 * @returns Steps, final loss and wall time.
 * @throws {RangeError} On empty traces or bad options.
 * @example
 * ```ts
 * const { train } = generateSyntheticTask({ seed: 0, trainSize: 64, validSize: 0, testSize: 0 });
 * const policy = createPolicy({ ...DEFAULT_POLICY_CONFIG, nEmbd: 32, nLayer: 1 });
 * await trainSft(policy, generateSftTraces(train, { seed: 0 }), { steps: 10, batchSize: 8 });
 * ```
 */
export async function trainSft(
  policy: Policy,
  traces: readonly SftTrace[],
  options: TrainSftOptions = {},
  hooks: TrainHooks = {},
): Promise<TrainSftResult> {
  const {
    tokenizer = new CharTokenizer(),
    steps = 1000,
    batchSize = 32,
    lr = 2e-3,
    warmupSteps = 50,
    minLrRatio = 0.1,
    maxGradNorm = 1,
    weightDecay = 0,
    seed = 0,
    logEvery = 50,
  } = options;
  if (traces.length === 0) throw new RangeError("Cannot train SFT: expected traces, got none");
  if (!(Number.isInteger(steps) && steps >= 0 && Number.isInteger(batchSize) && batchSize >= 1)) {
    throw new RangeError(
      `Cannot train SFT: expected integer steps >= 0 and batchSize >= 1, got ${steps}, ${batchSize}`,
    );
  }
  const pairs = traces.map((t) => ({
    prompt: encodePrompt(tokenizer, formatSyntheticPrompt(t.problem)),
    response: [...tokenizer.encode(t.response), tokenizer.eosId],
  }));
  const rng = createRng(seed).fork("sft batches");
  const adam = new Adam(policy.variables, { learningRate: lr, weightDecay });
  const started = performance.now();
  let order: number[] = [];
  let window: number[] = [];
  let finalLoss = NaN;
  try {
    for (let step = 1; step <= steps; step++) {
      // Batch: the next traces of a seeded epoch-wise shuffle.
      const picked: number[] = [];
      while (picked.length < batchSize) {
        if (order.length === 0) order = shuffledIndices(pairs.length, rng.next);
        picked.push(order.pop()!);
      }
      const batch = padBatch(picked.map((i) => pairs[i]), tokenizer.padId, policy.config.blockSize);
      adam.learningRate = scheduledLr(step, steps, lr, warmupSteps, minLrRatio);
      // Update: NLL of the response tokens, clipped gradients, Adam.
      const ids = idsTensor(batch);
      const mask = tf.tensor2d(batch.mask);
      const { value, grads } = tf.variableGrads(() => {
        const { logProbs, entropy } = tokenLogProbs(policy, ids);
        entropy.dispose();
        return tf.neg(aggregateLoss(logProbs, mask, "token-mean"));
      }, policy.variables);
      const ordered = policy.variables.map((v) => grads[v.name]);
      const clipped = clipByGlobalNorm(ordered, maxGradNorm);
      adam.apply(clipped.grads);
      const [loss] = await value.data();
      const [gradNorm] = await clipped.norm.data();
      tf.dispose([ids, mask, value, ...ordered, ...clipped.grads, clipped.norm]);
      window.push(loss);
      if (step % logEvery === 0 || step === steps) {
        finalLoss = window.reduce((a, b) => a + b, 0) / window.length;
        window = [];
        const elapsed = (performance.now() - started) / 1000;
        await hooks.onMetrics?.(step, {
          loss: finalLoss,
          lr: adam.learningRate,
          grad_norm: gradNorm,
          num_tensors: tf.memory().numTensors,
          seconds: elapsed,
        });
        await hooks.onProgress?.(
          `sft step ${step}/${steps} loss ${finalLoss.toFixed(4)} lr ${
            adam.learningRate.toExponential(2)
          } left ${formatDuration(elapsed / step * (steps - step))}`,
        );
      }
    }
  } finally {
    adam.dispose();
  }
  return { steps, finalLoss, wallMs: performance.now() - started };
}

/**
 * Linear warm-up to `peak`, then cosine decay to `peak · minRatio` at the last step.
 *
 * @param step 1-based step.
 * @param total Total steps.
 * @param peak Peak learning rate.
 * @param warmup Warm-up steps.
 * @param minRatio Final rate as a fraction of the peak.
 * @returns The learning rate of that step.
 * @example
 * ```ts
 * scheduledLr(5, 100, 1e-3, 10, 0.1); // 5e-4
 * ```
 */
export function scheduledLr(
  step: number,
  total: number,
  peak: number,
  warmup: number,
  minRatio: number,
): number {
  if (step <= warmup) return peak * step / Math.max(1, warmup);
  const progress = (step - warmup) / Math.max(1, total - warmup);
  return peak * (minRatio + (1 - minRatio) * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress))));
}
