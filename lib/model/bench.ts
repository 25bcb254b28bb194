/**
 * Model benchmarks for `deno task bench`: train-step time of the reference shape
 * (batch 32, length 64, width 128, 2 layers, 4 heads, vocab 64; forward + backward + Adam) per
 * backend, and sampling throughput with and without the KV cache.
 * @module
 */
import { type BackendName, chooseBackend, tf } from "./tf.ts";
import { createPolicy, type Policy, tokenLogProbs } from "./transformer.ts";
import { sample } from "./sample.ts";
import { createRng } from "../util/mod.ts";
import process from "node:process";

/** Options for {@linkcode benchModel}. */
export interface BenchModelOptions {
  /**
   * Backends to measure; ones that do not start are reported, not thrown. Keep native before
   * webgpu (see `BACKEND_ORDER`). @default ["tensorflow-gpu", "tensorflow", "webgpu", "wasm"]
   */
  backends?: Exclude<BackendName, "auto">[];
  /** Train batch size. @default 32 */
  batch?: number;
  /** Train sequence length in tokens. @default 64 */
  length?: number;
  /** Model width. @default 128 */
  nEmbd?: number;
  /** Blocks. @default 2 */
  nLayer?: number;
  /** Heads. @default 4 */
  nHead?: number;
  /** Vocabulary size. @default 64 */
  vocabSize?: number;
  /** Timed train steps (after one warm-up step). @default 3 */
  steps?: number;
  /** Rows sampled at once. @default 8 */
  sampleBatch?: number;
  /** Tokens generated per row (after a 1-token prompt). @default 64 */
  sampleLength?: number;
  /** Sampling runs per path, interleaved; the fastest counts (the machine may be shared). @default 3 */
  sampleRepeats?: number;
  /** Skip the sampling measurement. @default false */
  skipSampling?: boolean;
  /** Seed of weights, data and draws. @default 0 */
  seed?: number;
  /** Called with a line per finished measurement. @default none */
  onProgress?: (line: string) => void;
}

/** One backend's figures. */
export interface BackendBench {
  backend: Exclude<BackendName, "auto">;
  started: boolean;
  isGpu?: boolean;
  detail?: string;
  /** Median wall-clock seconds per train step (forward + backward + Adam). */
  trainStepSeconds?: number;
  /** Mean process CPU seconds per train step (less sensitive to other load; > wall when threaded). */
  trainStepCpuSeconds?: number;
  /** Generated tokens per second with the KV cache (all rows together; best of the repeats). */
  kvTokensPerSecond?: number;
  /** Generated tokens per second recomputing the prefix. */
  noKvTokensPerSecond?: number;
  /** kvTokensPerSecond / noKvTokensPerSecond. */
  kvSpeedup?: number;
}

/**
 * Measures train-step time and sampling throughput on each requested backend, then restores the
 * backend that was current before.
 *
 * @param options See {@linkcode BenchModelOptions}.
 * @returns The resolved shape and one entry per backend.
 * @example
 * ```ts
 * const result = await benchModel({ backends: ["wasm"], steps: 2 });
 * console.table(result.backends);
 * ```
 */
export async function benchModel(options: BenchModelOptions = {}): Promise<{
  shape: Record<string, number>;
  backends: BackendBench[];
}> {
  const {
    backends = ["tensorflow-gpu", "tensorflow", "webgpu", "wasm"],
    batch = 32,
    length = 64,
    nEmbd = 128,
    nLayer = 2,
    nHead = 4,
    vocabSize = 64,
    steps = 3,
    sampleBatch = 8,
    sampleLength = 64,
    sampleRepeats = 3,
    skipSampling = false,
    seed = 0,
    onProgress = () => {},
  } = options;
  const previous = tf.getBackend();
  const config = {
    vocabSize,
    blockSize: Math.max(length, sampleLength + 1),
    nLayer,
    nHead,
    nEmbd,
    seed,
  };
  const results: BackendBench[] = [];
  for (const backend of backends) {
    let info;
    try {
      info = await chooseBackend(backend);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      results.push({ backend, started: false, detail });
      onProgress(`${backend}: not started (${detail})`);
      continue;
    }
    const entry: BackendBench = {
      backend,
      started: true,
      isGpu: info.isGpu,
      ...(info.detail ? { detail: info.detail } : {}),
    };
    const policy = createPolicy(config);
    try {
      const step = await timeTrainStep(policy, batch, length, steps, seed);
      entry.trainStepSeconds = step.wall;
      entry.trainStepCpuSeconds = step.cpu;
      onProgress(
        `${backend}: train step ${step.wall.toFixed(3)} s wall, ${step.cpu.toFixed(3)} s CPU`,
      );
      if (!skipSampling) {
        const prompts = Array.from({ length: sampleBatch }, (_, r) => [r % vocabSize]);
        const opts = { maxNewTokens: sampleLength, seed, eosId: -1 };
        await sample(policy, prompts, { ...opts, maxNewTokens: 4 }); // warm-up
        let [kv, noKv] = [Infinity, Infinity];
        for (let i = 0; i < sampleRepeats; i++) {
          kv = Math.min(kv, await timed(() => sample(policy, prompts, { ...opts, kvCache: true })));
          noKv = Math.min(
            noKv,
            await timed(() => sample(policy, prompts, { ...opts, kvCache: false })),
          );
        }
        const tokens = sampleBatch * sampleLength;
        entry.kvTokensPerSecond = tokens / kv;
        entry.noKvTokensPerSecond = tokens / noKv;
        entry.kvSpeedup = noKv / kv;
        onProgress(
          `${backend}: sampling ${entry.kvTokensPerSecond.toFixed(0)} tok/s with KV cache, ${
            entry.noKvTokensPerSecond.toFixed(0)
          } without (${entry.kvSpeedup.toFixed(1)}×)`,
        );
      }
    } finally {
      policy.dispose();
    }
    results.push(entry);
  }
  if (previous) await tf.setBackend(previous);
  return {
    shape: { batch, length, nEmbd, nLayer, nHead, vocabSize, sampleBatch, sampleLength },
    backends: results,
  };
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return (performance.now() - start) / 1000;
}

/** Median wall and mean CPU seconds of `steps` cross-entropy Adam steps after one warm-up step. */
async function timeTrainStep(
  policy: Policy,
  batch: number,
  length: number,
  steps: number,
  seed: number,
): Promise<{ wall: number; cpu: number }> {
  const rng = createRng(seed).fork("bench data");
  const values = Array.from({ length: batch * length }, () => rng.int(policy.config.vocabSize));
  const ids = tf.tensor2d(values, [batch, length], "int32");
  const optimizer = tf.train.adam(1e-3);
  const times: number[] = [];
  let cpuStart = process.cpuUsage();
  try {
    for (let i = 0; i <= steps; i++) {
      if (i === 1) cpuStart = process.cpuUsage();
      const start = performance.now();
      const cost = optimizer.minimize(
        () => {
          const { logProbs, entropy } = tokenLogProbs(policy, ids);
          entropy.dispose();
          return tf.neg(tf.mean(logProbs));
        },
        true,
        policy.variables,
      );
      await cost?.data();
      cost?.dispose();
      if (i > 0) times.push((performance.now() - start) / 1000);
    }
  } finally {
    ids.dispose();
    optimizer.dispose();
  }
  const cpu = process.cpuUsage(cpuStart);
  times.sort((a, b) => a - b);
  return { wall: times[Math.floor(times.length / 2)], cpu: (cpu.user + cpu.system) / 1e6 / steps };
}
