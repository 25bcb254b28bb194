/**
 * Phases of the RL loop (`rl.ts` calls them in order): prompt selection, the default
 * critic (reference server + `CriticClient`), per-rollout scoring (steps, token rewards), and the
 * PPO update over minibatches. CAPO §3; PPO as in verl's actor update.
 * @module
 */
import {
  CriticClient,
  type CriticConfig,
  type CritiqueOutcome,
  type CritiqueRequest,
} from "../critic/mod.ts";
import { startReferenceCriticServer } from "../critic/reference/mod.ts";
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

/** Critiques a batch of responses: one outcome per request, in order. */
export type CritiqueFn = (requests: CritiqueRequest[]) => Promise<CritiqueOutcome[]>;

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

/** Options for {@linkcode startRlCritic}. */
export interface StartRlCriticOptions {
  /** Added latency per critic request, ms (simulates a remote LLM judge). @default 0 */
  latencyMs?: number;
}

/** A running critic for `trainRl`: pass `critique` as `deps.critic`, then `close()`. */
export interface RlCritic {
  /** Critiques a batch of responses. */
  critique: CritiqueFn;
  /** The reference server's base URL (`http://127.0.0.1:PORT/v1`). */
  baseUrl: string;
  /** The client's resolved config (for lineage; it holds no key). */
  config: Readonly<CriticConfig>;
  /** Stops the server. */
  close(): Promise<void>;
}

/**
 * Starts the reference critic server (seeded noise from `config.critic`, seed `config.seed`) on a
 * free 127.0.0.1 port and a `CriticClient` for it with k, vote rule and reference from the config.
 *
 * @param config The RL config.
 * @param options See {@linkcode StartRlCriticOptions}.
 * @returns The critic function, the base URL and `close`.
 * @example
 * ```ts
 * const critic = await startRlCritic(RL_PRESETS.demo, { latencyMs: 50 });
 * try {
 *   await trainRl(RL_PRESETS.demo, { policy, train, test, critic: critic.critique });
 * } finally {
 *   await critic.close();
 * }
 * ```
 */
export async function startRlCritic(
  config: Readonly<RlConfig>,
  options: StartRlCriticOptions = {},
): Promise<RlCritic> {
  const { latencyMs = 0 } = options;
  const { k, voteRule, m, falseFlagRate, missedFlagRate, includeReference } = config.critic;
  const server = await startReferenceCriticServer({
    port: 0,
    latencyMs,
    noise: { falseFlagRate, missedFlagRate, seed: config.seed },
  });
  const client = new CriticClient({
    baseUrl: server.baseUrl,
    k,
    voteRule,
    voteM: m,
    includeReference,
    seed: config.seed,
  }, { seed: config.seed });
  return {
    critique: async (requests) => (await client.critiqueBatch(requests)).outcomes,
    baseUrl: server.baseUrl,
    config: client.config,
    close: () => server.close(),
  };
}

/** Converts an injected critic (function or client-like object) to a {@linkcode CritiqueFn}. */
export function asCritiqueFn(
  critic: CritiqueFn | {
    critiqueBatch(r: CritiqueRequest[]): Promise<{ outcomes: CritiqueOutcome[] }>;
  },
): CritiqueFn {
  return typeof critic === "function"
    ? critic
    : async (requests) => (await critic.critiqueBatch(requests)).outcomes;
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
      const ordered = policy.variables.map((v) => grads[v.name]);
      const clipped = clipByGlobalNorm(ordered, config.maxGradNorm);
      adam.apply(clipped.grads);
      for (
        const [key, scalar] of [...Object.entries(metrics), ["grad_norm", clipped.norm] as const]
      ) {
        sums[key] = (sums[key] ?? 0) + (await scalar.data())[0];
      }
      tf.dispose([ids, mask, oldLogProbs, advantages, value, ...ordered, ...clipped.grads]);
      tf.dispose([clipped.norm, ...Object.values(metrics), ...(refLogProbs ? [refLogProbs] : [])]);
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

/** Eval metrics as flat metric keys (`eval/accuracy`, ...). */
export function prefixed(prefix: string, m: EvalMetrics): Record<string, number> {
  return {
    [`${prefix}accuracy`]: m.accuracy,
    [`${prefix}process_accuracy`]: m.processAccuracy,
    [`${prefix}lucky_rate`]: m.luckyRate,
    [`${prefix}mean_length`]: m.meanLength,
  };
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
