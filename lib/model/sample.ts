/**
 * Seeded autoregressive sampling for rollouts: left-padded prompts of different lengths, a KV cache
 * (or full-prefix recomputation, for tests and the speed-up benchmark), temperature and nucleus
 * (top-p) sampling, and a per-row stop at eos. Row r draws from stream r of the seed, so its
 * tokens do not depend on the other rows' prompts or lengths.
 * @module
 */
import { tf } from "./tf.ts";
import { forward, type LayerKv, type Policy } from "./transformer.ts";
import { createRng, type Rng } from "../util/mod.ts";

/** Options for {@linkcode sample}. */
export interface SampleOptions {
  /** Most tokens generated per row (eos included). */
  maxNewTokens: number;
  /** Softmax temperature; 0 means greedy. @default 1 */
  temperature?: number;
  /** Nucleus mass: sample from the smallest set of tokens whose probability reaches it. @default 1 */
  topP?: number;
  /** Seed of every draw. */
  seed: number;
  /** A row stops after producing this id (or any of these ids). */
  eosId: number | readonly number[];
  /** Sample only among the k most likely tokens; 0 means no limit. @default 0 */
  topK?: number;
  /** Id used for left padding and for rows that already stopped. @default 0 */
  padId?: number;
  /** Reuse keys/values of earlier tokens; false recomputes the whole prefix each step. @default true */
  kvCache?: boolean;
}

/** What {@linkcode sample} produced per row. */
export interface SampleResult {
  /** Generated ids only (not the prompt), eos included when produced. */
  tokens: number[][];
  /** Log-probability of each generated id under the policy itself (temperature 1, no top-p). */
  logProbs: number[][];
}

/**
 * Samples continuations of `prompts`.
 *
 * @param policy The policy.
 * @param prompts Token ids per row (any lengths ≥ 1).
 * @param options See {@linkcode SampleOptions}.
 * @returns Generated tokens and their log-probabilities per row.
 * @throws {RangeError} On empty prompts, bad options, or prompt + maxNewTokens > blockSize.
 * @example
 * ```ts
 * const tok = new CharTokenizer();
 * const out = await sample(policy, [tok.encode("Q: 1+2\n")], { maxNewTokens: 32, seed: 1, eosId: tok.eosId });
 * console.log(tok.decode(out.tokens[0]));
 * ```
 */
export async function sample(
  policy: Policy,
  prompts: number[][],
  options: SampleOptions,
): Promise<SampleResult> {
  const { maxNewTokens, temperature = 1, topP = 1, topK = 0, seed, padId = 0, kvCache = true } =
    options;
  const eosIds = new Set(typeof options.eosId === "number" ? [options.eosId] : options.eosId);
  validate(policy, prompts, options);
  const b = prompts.length;
  const width = Math.max(...prompts.map((p) => p.length));
  const padLens = prompts.map((p) => width - p.length);
  const rows = prompts.map((p, r) => [...new Array(padLens[r]).fill(padId), ...p]);
  const rngs = prompts.map((_, r) => createRng(seed).fork(`row ${r}`));
  const tokens: number[][] = prompts.map(() => []);
  const logProbs: number[][] = prompts.map(() => []);
  const done = new Array(b).fill(false);
  let past: LayerKv[] | undefined;
  try {
    for (let step = 0; step < maxNewTokens && done.includes(false); step++) {
      let input: tf.Tensor2D;
      if (kvCache && past) input = tf.tensor2d(rows.map((r) => [r[r.length - 1]]), [b, 1], "int32");
      else input = tf.tensor2d(rows, [b, rows[0].length], "int32");
      const run = policy.forward ?? ((x, o) => forward(policy, x, o));
      const out = run(input, {
        padLens,
        past,
        keepKv: kvCache,
        lastOnly: true,
        inference: true,
      });
      input.dispose();
      if (past) disposeKv(past);
      past = out.kv;
      const logits = await out.logits.data() as Float32Array;
      out.logits.dispose();
      const v = policy.config.vocabSize;
      for (let r = 0; r < b; r++) {
        if (done[r]) {
          rows[r].push(padId);
          continue;
        }
        const row = logits.subarray(r * v, (r + 1) * v);
        const { id, logProb } = drawToken(row, temperature, topP, topK, rngs[r]);
        tokens[r].push(id);
        logProbs[r].push(logProb);
        rows[r].push(id);
        if (eosIds.has(id)) done[r] = true;
      }
    }
  } finally {
    if (past) disposeKv(past);
  }
  return { tokens, logProbs };
}

function disposeKv(kv: LayerKv[]): void {
  for (const { k, v } of kv) tf.dispose([k, v]);
}

/** Draws one id from logits (float64 maths in JS); returns it with its temperature-1 log-prob. */
function drawToken(
  logits: Float32Array,
  temperature: number,
  topP: number,
  topK: number,
  rng: Rng,
): { id: number; logProb: number } {
  let max = -Infinity;
  let argmax = 0;
  for (let i = 0; i < logits.length; i++) {
    if (logits[i] > max) [max, argmax] = [logits[i], i];
  }
  let z = 0;
  for (let i = 0; i < logits.length; i++) z += Math.exp(logits[i] - max);
  const logZ = max + Math.log(z);
  if (temperature === 0) return { id: argmax, logProb: logits[argmax] - logZ };
  // Typed arrays, and only the candidates that top-k / top-p can reach get sorted: with an LLM
  // vocabulary (~150k ids) sorting every id per token would dominate sampling.
  const n = logits.length;
  const w = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) total += w[i] = Math.exp((logits[i] - max) / temperature);
  const useK = topK > 0 && topK < n;
  let pool: Uint32Array | undefined; // ids in draw order; undefined = all ids in id order
  if (useK || topP < 1) {
    pool = candidates(w, total, useK ? topK : 0, topP);
    if (useK) {
      pool = pool.slice(0, topK);
      total = 0;
      for (let j = 0; j < pool.length; j++) total += w[pool[j]];
    }
    if (topP < 1) {
      let mass = 0;
      let keep = 0;
      while (keep < pool.length && mass < topP * total) mass += w[pool[keep++]];
      pool = pool.slice(0, Math.max(1, keep));
      total = mass;
    }
  }
  let u = rng.next() * total;
  const size = pool ? pool.length : n;
  let id = pool ? pool[size - 1] : n - 1;
  for (let j = 0; j < size; j++) {
    const i = pool ? pool[j] : j;
    u -= w[i];
    if (u < 0) {
      id = i;
      break;
    }
  }
  return { id, logProb: logits[id] - logZ };
}

/**
 * Ids by weight (descending, ties by id) down to a threshold low enough to hold the top `k` and to
 * (without k) leave out less than `1 − topP` of the mass; the threshold halves at most 1,100 times (float64
 * underflow), after which every id is a candidate.
 */
function candidates(w: Float64Array, total: number, k: number, topP: number): Uint32Array {
  let t = 1; // the largest weight is exp(0)
  let picked: Uint32Array | undefined;
  for (let round = 0; round < 1100 && t > 0; round++, t /= 2) {
    let count = 0;
    let kept = 0;
    for (let i = 0; i < w.length; i++) if (w[i] >= t) count++, kept += w[i];
    const enoughK = k === 0 || count >= k;
    const enoughP = k > 0 || topP >= 1 || kept >= topP * total + 1e-9 * total;
    if (enoughK && enoughP) {
      picked = new Uint32Array(count);
      for (let i = 0, j = 0; i < w.length; i++) if (w[i] >= t) picked[j++] = i;
      break;
    }
  }
  picked ??= Uint32Array.from(w.keys());
  return picked.sort((a, b) => w[b] - w[a] || a - b);
}

function validate(policy: Policy, prompts: number[][], options: SampleOptions): void {
  const { maxNewTokens, temperature = 1, topP = 1, topK = 0, seed } = options;
  const eosIds = typeof options.eosId === "number" ? [options.eosId] : options.eosId;
  const where = "Cannot sample";
  if (!Array.isArray(prompts) || prompts.length === 0) {
    throw new RangeError(`${where}: expected at least one prompt, got ${prompts?.length}`);
  }
  const empty = prompts.findIndex((p) => !Array.isArray(p) || p.length === 0);
  if (empty >= 0) throw new RangeError(`${where}: expected non-empty prompts, got row ${empty}`);
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1) {
    throw new RangeError(`${where}: expected maxNewTokens a positive integer, got ${maxNewTokens}`);
  }
  if (!(temperature >= 0) || !(topP > 0 && topP <= 1)) {
    throw new RangeError(
      `${where}: expected temperature >= 0 and topP in (0, 1], got ${temperature} and ${topP}`,
    );
  }
  if (!Number.isFinite(seed) || !eosIds?.length || !eosIds.every(Number.isInteger)) {
    throw new RangeError(
      `${where}: expected a finite seed and integer eos ids, got ${seed}, ${options.eosId}`,
    );
  }
  if (!Number.isInteger(topK) || topK < 0) {
    throw new RangeError(`${where}: expected topK a non-negative integer, got ${topK}`);
  }
  const longest = Math.max(...prompts.map((p) => p.length));
  if (longest + maxNewTokens > policy.config.blockSize) {
    throw new RangeError(
      `${where}: expected prompt + maxNewTokens <= blockSize ${policy.config.blockSize}, got ${longest} + ${maxNewTokens}`,
    );
  }
}
