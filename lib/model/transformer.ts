/**
 * The policy: a small decoder-only transformer (GPT-2 layout after karpathy/nanoGPT): token and
 * position embeddings, pre-LN blocks of causal multi-head attention and a GELU MLP, a final LN and
 * a tied or untied head. Written for the wasm backend: every matMul is flag-free and embeddings are
 * `oneHot × table` (wasm has no UnsortedSegmentSum, the gradient of `gather`).
 * @module
 */
import { tf } from "./tf.ts";
import { createRng } from "../util/mod.ts";

/** Hyper-parameters of the policy; `DEFAULT_POLICY_CONFIG` is the embedded default. */
export interface PolicyConfig {
  /** Number of token ids (the tokenizer's `vocabSize`). */
  vocabSize: number;
  /** Longest sequence (prompt + response) the model reads, in tokens. */
  blockSize: number;
  /** Number of transformer blocks. */
  nLayer: number;
  /** Attention heads per block; must divide `nEmbd`. */
  nHead: number;
  /** Width of the residual stream. */
  nEmbd: number;
  /** Seed of the weight initialisation. */
  seed: number;
  /** Share the token embedding with the output head. @default false */
  tieHead?: boolean;
}

/** The embedded default: the CharTokenizer's 99 ids, 128 tokens, 2 layers, 4 heads, width 128. */
export const DEFAULT_POLICY_CONFIG: Readonly<PolicyConfig> = Object.freeze({
  vocabSize: 99,
  blockSize: 128,
  nLayer: 2,
  nHead: 4,
  nEmbd: 128,
  seed: 0,
  tieHead: false,
});

/** A transformer policy; its variables are what an optimizer trains. */
export interface Policy {
  /** The config it was built from (frozen copy). */
  readonly config: Readonly<PolicyConfig>;
  /** Every trainable weight, in the order of `paramNames`. */
  readonly variables: tf.Variable[];
  /** Weights by checkpoint name (`wte`, `h.0.attn.wqkv`, ...). */
  readonly params: Readonly<Record<string, tf.Variable>>;
  /** Next-token logits `[B, T, vocab]` float32 for ids `[B, T]` int32; the caller owns the result. */
  logits(ids: tf.Tensor2D): tf.Tensor3D;
  /**
   * Incremental forward for the sampler (KV cache, left padding); policies other than the built-in
   * transformer (e.g. Hugging Face checkpoints) provide it. @default {@linkcode forward}
   */
  forward?(ids: tf.Tensor2D, options?: ForwardOptions): { logits: tf.Tensor3D; kv?: LayerKv[] };
  /**
   * The frozen start policy sharing this one's weights (policies with adapters, e.g. LoRA): the KL
   * reference without a second copy. Not owned by the caller. @default none (a snapshot is kept)
   */
  base?(): Policy;
  /** Turns training-only behaviour (adapter dropout) on or off. @default none */
  setTraining?(on: boolean): void;
  /**
   * Random state of training-only behaviour (the adapter dropout's step counter): checkpoints save
   * it and restore it with `setTrainingState`, so a resumed run draws the same masks. @default none
   */
  trainingState?(): Record<string, number>;
  /** Restores what {@linkcode Policy.trainingState} returned. @default none */
  setTrainingState?(state: Readonly<Record<string, number>>): void;
  /** Frees the variables. */
  dispose(): void;
}

/** Keys and values one block keeps for incremental decoding. */
export interface LayerKv {
  /** Keys, stored transposed for the score matMul: `[B, nHead, headDim, T]`. */
  k: tf.Tensor4D;
  /** Values: `[B, nHead, T, headDim]`. */
  v: tf.Tensor4D;
}

/** Options for {@linkcode forward}. */
export interface ForwardOptions {
  /** Left padding of each row: keys before it are masked and positions start after it. @default none */
  padLens?: number[];
  /** Cached keys/values of the tokens before `ids` (one entry per layer). @default none */
  past?: LayerKv[];
  /** Return this call's full keys/values (past + new) for the next call. @default false */
  keepKv?: boolean;
  /** Return logits of the last position only (`[B, 1, vocab]`). @default false */
  lastOnly?: boolean;
  /**
   * No gradient will be taken: use fewer, plain kernels (one fused qkv matMul, no custom
   * gradients). Same maths; results agree with the training path to float rounding. @default false
   */
  inference?: boolean;
}

/**
 * Names and shapes of every weight, in variable (and checkpoint) order.
 *
 * @param config The hyper-parameters.
 * @returns `[name, shape]` pairs.
 * @example
 * ```ts
 * paramShapes(DEFAULT_POLICY_CONFIG)[0]; // ["wte", [99, 128]]
 * ```
 */
export function paramShapes(config: PolicyConfig): [string, number[]][] {
  const { vocabSize: v, blockSize, nLayer, nEmbd: c } = config;
  const shapes: [string, number[]][] = [["wte", [v, c]], ["wpe", [blockSize, c]]];
  for (let i = 0; i < nLayer; i++) {
    const p = `h.${i}`;
    shapes.push(
      [`${p}.ln1.g`, [c]],
      [`${p}.ln1.b`, [c]],
      [`${p}.attn.wqkv`, [c, 3 * c]],
      [`${p}.attn.bqkv`, [3 * c]],
      [`${p}.attn.wo`, [c, c]],
      [`${p}.attn.bo`, [c]],
      [`${p}.ln2.g`, [c]],
      [`${p}.ln2.b`, [c]],
      [`${p}.mlp.w1`, [c, 4 * c]],
      [`${p}.mlp.b1`, [4 * c]],
      [`${p}.mlp.w2`, [4 * c, c]],
      [`${p}.mlp.b2`, [c]],
    );
  }
  shapes.push(["lnf.g", [c]], ["lnf.b", [c]]);
  if (!config.tieHead) shapes.push(["head", [c, v]]);
  return shapes;
}

/**
 * Checks a config and returns a frozen copy with defaults filled in.
 *
 * @param config The hyper-parameters.
 * @returns A frozen copy with `tieHead` filled in.
 * @throws {RangeError} On a non-positive size or `nEmbd` not divisible by `nHead`.
 * @example
 * ```ts
 * const config = validatePolicyConfig({ ...DEFAULT_POLICY_CONFIG, nLayer: 4 });
 * ```
 */
export function validatePolicyConfig(config: PolicyConfig): Readonly<PolicyConfig> {
  for (const key of ["vocabSize", "blockSize", "nLayer", "nHead", "nEmbd"] as const) {
    const value = config[key];
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`Cannot build policy: expected ${key} a positive integer, got ${value}`);
    }
  }
  if (config.nEmbd % config.nHead !== 0) {
    throw new RangeError(
      `Cannot build policy: expected nEmbd divisible by nHead, got ${config.nEmbd} / ${config.nHead}`,
    );
  }
  if (!Number.isFinite(config.seed)) {
    throw new RangeError(`Cannot build policy: expected a finite seed, got ${config.seed}`);
  }
  return Object.freeze({ ...config, tieHead: config.tieHead ?? false });
}

/**
 * Builds a policy with weights drawn from `config.seed` (N(0, 0.02); residual projections scaled
 * by 1/√(2·nLayer) as in GPT-2; LN gains 1, biases 0). Each weight draws from its own named stream,
 * so the same seed gives the same weights on every backend.
 *
 * @param config The hyper-parameters.
 * @param weights Optional initial values by name (used by `loadCheckpoint`).
 * @returns The policy; call `dispose()` when done.
 * @throws {RangeError} On an invalid config or a weight of the wrong size.
 * @example
 * ```ts
 * const policy = createPolicy({ ...DEFAULT_POLICY_CONFIG, nLayer: 1 });
 * const logits = policy.logits(tf.tensor2d([[1, 5, 6]], [1, 3], "int32")); // [1, 3, 99]
 * ```
 */
export function createPolicy(
  config: PolicyConfig,
  weights?: Record<string, Float32Array>,
): Policy {
  const cfg = validatePolicyConfig(config);
  const rng = createRng(cfg.seed);
  const params: Record<string, tf.Variable> = {};
  const residualScale = 1 / Math.sqrt(2 * cfg.nLayer);
  for (const [name, shape] of paramShapes(cfg)) {
    const size = shape.reduce((a, b) => a * b, 1);
    let values = weights?.[name];
    if (values && values.length !== size) {
      throw new RangeError(
        `Cannot build policy: expected ${size} values for ${name}, got ${values.length}`,
      );
    }
    if (!values) {
      values = new Float32Array(size);
      if (name.endsWith(".g")) values.fill(1);
      else if (shape.length === 2) {
        const std = 0.02 * (/attn\.wo|mlp\.w2/.test(name) ? residualScale : 1);
        const stream = rng.fork(name);
        for (let i = 0; i < size; i++) values[i] = std * stream.normal();
      }
    }
    const init = values;
    params[name] = tf.tidy(() => tf.variable(tf.tensor(init, shape, "float32"), true));
  }
  const variables = Object.values(params);
  return {
    config: cfg,
    variables,
    params,
    logits: (ids) => forward({ config: cfg, params }, ids).logits,
    dispose: () => variables.forEach((v) => v.dispose()),
  };
}

/**
 * Runs the transformer on ids `[B, T]`, optionally after cached keys/values (incremental decoding)
 * and with per-row left padding. Plain training and scoring use `policy.logits`; the sampler uses
 * this directly.
 *
 * @param policy Config and weights (a {@linkcode Policy} works).
 * @param ids Token ids `[B, T]` int32.
 * @param options See {@linkcode ForwardOptions}.
 * @returns `logits` `[B, T, vocab]` (or `[B, 1, vocab]` with `lastOnly`) and, with `keepKv`, the
 *   keys/values to pass as `past` next time; the caller owns every returned tensor.
 * @throws {RangeError} When past + new tokens exceed `blockSize`.
 * @example
 * ```ts
 * const { logits, kv } = forward(policy, ids, { keepKv: true, lastOnly: true });
 * ```
 */
export function forward(
  policy: Pick<Policy, "config" | "params">,
  ids: tf.Tensor2D,
  options: ForwardOptions = {},
): { logits: tf.Tensor3D; kv?: LayerKv[] } {
  const { padLens, past, keepKv = false, lastOnly = false, inference = false } = options;
  const { config, params: p } = policy;
  const [b, t] = ids.shape;
  const pastLen = past?.[0]?.k.shape[3] ?? 0;
  if (pastLen + t > config.blockSize) {
    throw new RangeError(
      `Cannot run policy: expected at most blockSize ${config.blockSize} tokens, got ${
        pastLen + t
      }`,
    );
  }
  const c = config.nEmbd;
  const kept: LayerKv[] = [];
  const logits = tf.tidy(() => {
    const embedded = inference
      ? embedForInference(p, ids, pastLen, padLens)
      : embed(p, ids, pastLen, padLens, config);
    const bias = attentionBias(b, t, pastLen, padLens); // [B|1, 1, T, past+T]
    let x = embedded;
    for (let i = 0; i < config.nLayer; i++) {
      const h = `h.${i}`;
      const attn = attention(layerNorm(x, p[`${h}.ln1.g`], p[`${h}.ln1.b`], inference), {
        p,
        h,
        b,
        t,
        nHead: config.nHead,
        bias,
        past: past?.[i],
        keep: keepKv ? kept : undefined,
        inference,
      });
      x = tf.add(x, attn);
      const lin = inference ? plainDense : dense;
      const m = layerNorm(x, p[`${h}.ln2.g`], p[`${h}.ln2.b`], inference);
      const hidden = gelu(lin(m, p[`${h}.mlp.w1`], p[`${h}.mlp.b1`]));
      x = tf.add(x, lin(hidden, p[`${h}.mlp.w2`], p[`${h}.mlp.b2`]));
    }
    let xf = layerNorm(x, p["lnf.g"], p["lnf.b"], inference); // [B*T, C]
    let rows = t;
    if (lastOnly) {
      xf = tf.reshape(tf.slice(tf.reshape(xf, [b, t, c]), [0, t - 1, 0], [b, 1, c]), [b, c]);
      rows = 1;
    }
    const head = config.tieHead ? tf.transpose(p.wte) : p.head;
    const out = tf.reshape(tf.matMul(xf, head), [b, rows, config.vocabSize]) as tf.Tensor3D;
    for (const { k, v } of kept) {
      tf.keep(k), tf.keep(v);
    }
    return out;
  });
  return keepKv ? { logits, kv: kept } : { logits };
}

/** Token + position embeddings `[B*T, C]` as `oneHot × table` (wasm lacks gather's gradient). */
function embed(
  p: Record<string, tf.Variable>,
  ids: tf.Tensor2D,
  pastLen: number,
  padLens: number[] | undefined,
  config: PolicyConfig,
): tf.Tensor2D {
  const [b, t] = ids.shape;
  const c = config.nEmbd;
  const tok = tf.matMul(oneHotFloat(tf.reshape(ids, [-1]), config.vocabSize), p.wte); // [B*T, C]
  if (padLens) {
    const positions = tf.tensor1d(positionIds(b, t, pastLen, padLens), "int32");
    return tf.add(tok, tf.matMul(oneHotFloat(positions, config.blockSize), p.wpe));
  }
  // Positions broadcast over the batch ([B, T, C] + [T, C]): its gradient is one Sum, where
  // tile's is a slice per row.
  const pos = tf.slice(p.wpe, [pastLen, 0], [t, c]);
  return tf.reshape(tf.add(tf.reshape(tok, [b, t, c]), pos), [b * t, c]);
}

/** The same embeddings with `gather` (fewer kernels; no gradient needed when sampling). */
function embedForInference(
  p: Record<string, tf.Variable>,
  ids: tf.Tensor2D,
  pastLen: number,
  padLens: number[] | undefined,
): tf.Tensor2D {
  const [b, t] = ids.shape;
  const positions = positionIds(b, t, pastLen, padLens ?? new Array(b).fill(0));
  return tf.add(
    tf.gather(p.wte, tf.reshape(ids, [-1])),
    tf.gather(p.wpe, tf.tensor1d(positions, "int32")),
  );
}

interface AttentionArgs {
  p: Record<string, tf.Variable>;
  h: string;
  b: number;
  t: number;
  nHead: number;
  bias: tf.Tensor4D;
  past?: LayerKv;
  keep?: LayerKv[];
  inference: boolean;
}

/** Causal multi-head self-attention on `[B*T, C]`; appends this layer's k/v to `keep` if given. */
function attention(x: tf.Tensor2D, args: AttentionArgs): tf.Tensor2D {
  const { p, h, b, t, nHead, bias, past, keep, inference } = args;
  const c = x.shape[1];
  const d = c / nHead;
  const [wqkv, bqkv] = [p[`${h}.attn.wqkv`], p[`${h}.attn.bqkv`]];
  // Training: three [C, C] column blocks of wqkv (cheaper on wasm than one [C, 3C] matMul with
  // split/concat in the backward pass). Inference: one matMul, fewer kernel launches per token.
  const [qz, kz, vz] = inference
    ? tf.split(plainDense(x, wqkv, bqkv), 3, 1)
    : [0, 1, 2].map((i) =>
      dense(x, tf.slice(wqkv, [0, i * c], [c, c]), tf.slice(bqkv, [i * c], [c]))
    );
  // With one new token (decoding) these transposes keep the memory order: reshape instead.
  const heads = (z: tf.Tensor, perm: number[]) =>
    (t === 1
      ? tf.reshape(
        z,
        perm.map((axis) => [b, 1, nHead, d][axis]) as [number, number, number, number],
      )
      : tf.transpose(tf.reshape(z, [b, t, nHead, d]), perm)) as tf.Tensor4D;
  const q = heads(qz, [0, 2, 1, 3]); // [B, H, T, D]
  const kNew = heads(kz, [0, 2, 3, 1]); // [B, H, D, T]: keys transposed once, as the cache keeps them
  const vNew = heads(vz, [0, 2, 1, 3]); // [B, H, T, D]
  const k = past ? tf.concat([past.k, kNew], 3) as tf.Tensor4D : kNew;
  const v = past ? tf.concat([past.v, vNew], 2) as tf.Tensor4D : vNew;
  keep?.push({ k, v });
  const tk = k.shape[3];
  const kT = tf.reshape(k, [b * nHead, d, tk]);
  const scores = tf.mul(tf.matMul(tf.reshape(q, [b * nHead, t, d]), kT), 1 / Math.sqrt(d));
  const weights = tf.softmax(tf.add(tf.reshape(scores, [b, nHead, t, tk]), bias)); // [B, H, T, Tk]
  const y = tf.matMul(tf.reshape(weights, [b * nHead, t, tk]), tf.reshape(v, [b * nHead, tk, d]));
  const merged = t === 1
    ? tf.reshape(y, [b, c])
    : tf.reshape(tf.transpose(tf.reshape(y, [b, nHead, t, d]), [0, 2, 1, 3]), [b * t, c]);
  return (inference ? plainDense : dense)(merged, p[`${h}.attn.wo`], p[`${h}.attn.bo`]);
}

/** Additive mask `[B|1, 1, T, past+T]`: 0 where query i may see key j, −1e9 elsewhere. */
function attentionBias(b: number, t: number, pastLen: number, padLens?: number[]): tf.Tensor4D {
  const tk = pastLen + t;
  const rows = padLens ? b : 1;
  const mask = new Float32Array(rows * t * tk);
  for (let r = 0; r < rows; r++) {
    const pad = padLens ? padLens[r] : 0;
    for (let i = 0; i < t; i++) {
      for (let j = 0; j < tk; j++) {
        if (j > pastLen + i || j < pad) mask[(r * t + i) * tk + j] = -1e9;
      }
    }
  }
  return tf.tensor4d(mask, [rows, 1, t, tk]);
}

/** Position of each token `[B*T]`: a left-padded row's first real token is position 0. */
function positionIds(b: number, t: number, pastLen: number, padLens: number[]): Int32Array {
  const positions = new Int32Array(b * t);
  for (let r = 0; r < b; r++) {
    for (let i = 0; i < t; i++) positions[r * t + i] = Math.max(0, pastLen + i - padLens[r]);
  }
  return positions;
}

/** One-hot as float32. The wasm OneHot kernel ignores the dtype argument (returns int32 bits), so cast. */
function oneHotFloat(indices: tf.Tensor, depth: number): tf.Tensor {
  return tf.cast(tf.oneHot(indices as tf.Tensor1D, depth), "float32");
}

function layerNorm(x: tf.Tensor2D, g: tf.Tensor, beta: tf.Tensor, inference: boolean): tf.Tensor2D {
  const mean = tf.mean(x, -1, true);
  const centered = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centered), -1, true);
  const normed = tf.mul(centered, tf.rsqrt(tf.add(variance, 1e-5)));
  return inference ? tf.add(tf.mul(normed, g), beta) : affine(normed, g, beta);
}

/** `x·w + b` as one fused kernel, for inference (no gradient). */
function plainDense(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  return tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: b }) as tf.Tensor2D;
}

/** Column sums of `[N, C]` as a `[1, N] × [N, C]` matMul (wasm's axis-0 Sum transposes first). */
function columnSum(x: tf.Tensor): tf.Tensor1D {
  const [n, c] = x.shape;
  return tf.reshape(tf.matMul(tf.ones([1, n]), x), [c]);
}

/** `x·w + b` on `[N, C]` with a hand-written gradient: explicit transposes, matMul column sums. */
const dense = tf.customGrad((x, w, b, save) => {
  const [xt, wt, bt] = [x, w, b] as tf.Tensor[];
  (save as tf.GradSaveFunc)([xt, wt]);
  return {
    value: tf.add(tf.matMul(xt, wt), bt) as tf.Tensor2D,
    gradFunc: (dy: tf.Tensor, [xs, ws]: tf.Tensor[]) => [
      tf.matMul(dy, tf.transpose(ws)),
      tf.matMul(tf.transpose(xs), dy),
      columnSum(dy),
    ],
  };
}) as (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor2D;

/** `xhat·g + b` (LayerNorm's gain and bias) with matMul column sums in the gradient. */
const affine = tf.customGrad((x, g, b, save) => {
  const [xt, gt, bt] = [x, g, b] as tf.Tensor[];
  (save as tf.GradSaveFunc)([xt, gt]);
  return {
    value: tf.add(tf.mul(xt, gt), bt) as tf.Tensor2D,
    gradFunc: (dy: tf.Tensor, [xs, gs]: tf.Tensor[]) => [
      tf.mul(dy, gs),
      columnSum(tf.mul(dy, xs)),
      columnSum(dy),
    ],
  };
}) as (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor2D;

/**
 * GELU, tanh approximation (GPT-2), written as x·σ(2z) with z = √(2/π)(x + 0.044715x³): equal to
 * 0.5x(1 + tanh z) and six kernels instead of ten (per-kernel cost dominates on these sizes).
 */
function gelu(x: tf.Tensor): tf.Tensor2D {
  const c1 = 2 * Math.sqrt(2 / Math.PI);
  const inner = tf.mul(x, tf.add(tf.mul(tf.square(x), c1 * 0.044715), c1));
  return tf.mul(x, tf.sigmoid(inner)) as tf.Tensor2D;
}

/**
 * Log-probabilities of the given next tokens and the entropy of each next-token distribution.
 *
 * @param policy The policy.
 * @param ids Token ids `[B, T]` int32 (prompt + response, any right padding masked by the caller).
 * @returns `logProbs` `[B, T-1]`: log p(ids[:, t+1] | ids[:, :t+1]); `entropy` `[B, T-1]`, nats.
 *   Both float32, owned by the caller, differentiable w.r.t. `policy.variables`.
 * @example
 * ```ts
 * const { logProbs, entropy } = tokenLogProbs(policy, ids);
 * logProbs.dispose(); entropy.dispose();
 * ```
 */
export function tokenLogProbs(
  policy: Policy,
  ids: tf.Tensor2D,
): { logProbs: tf.Tensor2D; entropy: tf.Tensor2D } {
  const [b, t] = ids.shape;
  if (t < 2) {
    throw new RangeError(`Cannot score tokens: expected sequences of length >= 2, got ${t}`);
  }
  return tf.tidy(() => {
    const logits = policy.logits(ids);
    const v = logits.shape[2];
    // Scores every position and slices the small [B, T] results: slicing the [B, T, V] logits
    // (and its gradient, a pad) costs seconds on the cpu backend once V is a real LLM vocabulary.
    const logp = tf.logSoftmax(logits); // [B, T, V]
    const next = tf.concat([tf.slice(ids, [0, 1], [b, t - 1]), tf.zeros([b, 1], "int32")], 1);
    const targets = oneHotFloat(next, v);
    const all = tf.sum(tf.mul(logp, targets), -1);
    const allEntropy = tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), -1));
    const logProbs = tf.slice(all, [0, 0], [b, t - 1]) as tf.Tensor2D;
    const entropy = tf.slice(allEntropy, [0, 0], [b, t - 1]) as tf.Tensor2D;
    return { logProbs, entropy };
  });
}
