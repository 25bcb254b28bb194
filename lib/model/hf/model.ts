/**
 * The decoder of Llama, Qwen2 and Qwen3 checkpoints on TensorFlow.js: RMSNorm, RoPE (with llama3
 * scaling), grouped-query attention with optional q/k/v biases and q/k norms, SwiGLU MLP, tied or
 * untied head, optional LoRA on any linear layer. Implements capo's `Policy` (plus `forward`), so the
 * sampler and trainer use it like the built-in transformer. Linear weights, lm_head and a tied
 * embedding are kept transposed (`[in, out]`, `[hidden, vocab]`), so every matMul is flag-free (the
 * fast path on wasm); `params` keys are the HF names without `.weight`.
 * @module
 */
import { tf } from "../tf.ts";
import type { ForwardOptions, LayerKv, Policy, PolicyConfig } from "../transformer.ts";
import { type HfModelConfig, ropeInvFreq } from "./config.ts";
import { createRng } from "../../util/mod.ts";

/** LoRA settings (PEFT's names in parentheses). */
export interface LoraOptions {
  /** Rank (`r`). @default 8 */
  rank?: number;
  /** Scale numerator (`lora_alpha`); the update is scaled by alpha / rank. @default 16 */
  alpha?: number;
  /** Dropout on the adapter's input while training (`lora_dropout`). @default 0 */
  dropout?: number;
  /** Module names to adapt (`target_modules`). @default ["q_proj", "v_proj"] */
  targetModules?: string[];
  /** Seed of A's initialisation and of dropout. @default 0 */
  seed?: number;
}

/** Options for {@linkcode createHfPolicy}. */
export interface CreateHfPolicyOptions {
  /** Add LoRA adapters; the base weights are then frozen. @default none (full fine-tuning) */
  lora?: LoraOptions;
  /** Longest sequence the policy accepts (`config.blockSize`). @default min(maxPositionEmbeddings, 4096) */
  blockSize?: number;
}

/** A Hugging Face causal LM as a capo {@linkcode Policy}. */
export interface HfPolicy extends Policy {
  /** The checkpoint's config. */
  readonly hf: Readonly<HfModelConfig>;
  /** Resolved LoRA settings, when adapters are attached. */
  readonly lora?: Readonly<Required<LoraOptions>>;
  /** LoRA factors by PEFT-style name (`model.layers.0.self_attn.q_proj.lora_A`), `[in, r]` / `[r, out]`. */
  readonly loraParams: Readonly<Record<string, tf.Variable>>;
  /** Runs the decoder (see {@linkcode ForwardOptions}); the sampler calls it. */
  forward(ids: tf.Tensor2D, options?: ForwardOptions): { logits: tf.Tensor3D; kv?: LayerKv[] };
  /** The frozen base without adapters (shares weights; the KL reference). Requires LoRA. */
  base(): Policy;
  /** Turns LoRA dropout on (training) or off. */
  setTraining(on: boolean): void;
}

/**
 * The HF names of the linear layers of block `i`, with their `[in, out]` sizes.
 *
 * @param c The model config.
 * @param i Block index.
 * @returns `[name, in, out]` per linear layer (q, k, v, o, gate, up, down).
 * @example
 * ```ts
 * linearShapes(cfg, 0)[0]; // ["model.layers.0.self_attn.q_proj", hidden, nHead * headDim]
 * ```
 */
export function linearShapes(c: HfModelConfig, i: number): [string, number, number][] {
  const p = `model.layers.${i}`;
  const { hiddenSize: h, headDim: d, nHead, nKvHead, intermediateSize: m } = c;
  return [
    [`${p}.self_attn.q_proj`, h, nHead * d],
    [`${p}.self_attn.k_proj`, h, nKvHead * d],
    [`${p}.self_attn.v_proj`, h, nKvHead * d],
    [`${p}.self_attn.o_proj`, nHead * d, h],
    [`${p}.mlp.gate_proj`, h, m],
    [`${p}.mlp.up_proj`, h, m],
    [`${p}.mlp.down_proj`, m, h],
  ];
}

/**
 * Every tensor a checkpoint must hold, with its shape as stored by transformers (`[out, in]` for
 * linear weights).
 *
 * @param c The model config.
 * @returns `[name, shape]` pairs.
 * @example
 * ```ts
 * hfTensorShapes(cfg)[0]; // ["model.embed_tokens.weight", [vocab, hidden]]
 * ```
 */
export function hfTensorShapes(c: HfModelConfig): [string, number[]][] {
  const out: [string, number[]][] = [["model.embed_tokens.weight", [c.vocabSize, c.hiddenSize]]];
  for (let i = 0; i < c.nLayer; i++) {
    const p = `model.layers.${i}`;
    out.push([`${p}.input_layernorm.weight`, [c.hiddenSize]]);
    out.push([`${p}.post_attention_layernorm.weight`, [c.hiddenSize]]);
    for (const [name, inSize, outSize] of linearShapes(c, i)) {
      out.push([`${name}.weight`, [outSize, inSize]]);
      const attn = /[qkv]_proj$/.test(name) ? c.qkvBias : name.endsWith("o_proj") && c.oBias;
      if (attn) out.push([`${name}.bias`, [outSize]]);
    }
    if (c.qkNorm) {
      out.push([`${p}.self_attn.q_norm.weight`, [c.headDim]]);
      out.push([`${p}.self_attn.k_norm.weight`, [c.headDim]]);
    }
  }
  out.push(["model.norm.weight", [c.hiddenSize]]);
  if (!c.tieWordEmbeddings) out.push(["lm_head.weight", [c.vocabSize, c.hiddenSize]]);
  return out;
}

/**
 * Builds the policy from loaded weights (HF names and layouts; linear weights are transposed here).
 *
 * @param config The checkpoint's config.
 * @param weights Float32 data by HF tensor name (see {@linkcode hfTensorShapes}), or variables
 *   already made by {@linkcode hfVariable} (how `loadHfPolicy` streams); consumed.
 * @param options See {@linkcode CreateHfPolicyOptions}.
 * @returns The policy; `dispose()` frees its tensors.
 * @throws {RangeError} On a missing tensor or bad LoRA target.
 * @example
 * ```ts
 * const { config, weights } = await readHfWeights("qwen2.5-0.5b");
 * const policy = createHfPolicy(config, weights, { lora: { rank: 8 } });
 * ```
 */
export function createHfPolicy(
  config: HfModelConfig,
  weights: Map<string, Float32Array | tf.Variable>,
  options: CreateHfPolicyOptions = {},
): HfPolicy {
  const c = Object.freeze({ ...config });
  const { blockSize = Math.min(c.maxPositionEmbeddings, 4096) } = options;
  const full = !options.lora;
  const params: Record<string, tf.Variable> = {};
  for (const [name, shape] of hfTensorShapes(c)) {
    const data = weights.get(name);
    if (!data) throw new RangeError(`Cannot build policy: expected tensor ${name}, not found`);
    weights.delete(name);
    params[paramKey(name)] = data instanceof Float32Array
      ? hfVariable(c, name, shape, data, full)
      : data;
  }
  const lora = options.lora ? resolveLora(options.lora) : undefined;
  const loraParams: Record<string, tf.Variable> = {};
  if (lora) {
    const rng = createRng(lora.seed);
    const names = Array.from({ length: c.nLayer }, (_, i) => linearShapes(c, i)).flat();
    const known = new Set(names.map(([n]) => n.split(".").pop()));
    const bad = lora.targetModules.filter((m) => !known.has(m));
    if (bad.length) {
      throw new RangeError(
        `Cannot add LoRA: expected target modules among ${[...known].join(", ")}, got ${
          bad.join(", ")
        }`,
      );
    }
    for (const [name, inSize, outSize] of names) {
      if (!lora.targetModules.includes(name.split(".").pop()!)) continue;
      // PEFT's default: A kaiming-uniform(a=√5) → U(−1/√in, 1/√in); B zero (starts as the base).
      const bound = 1 / Math.sqrt(inSize);
      const stream = rng.fork(name);
      const a = Float32Array.from(
        { length: inSize * lora.rank },
        () => (2 * stream.next() - 1) * bound,
      );
      loraParams[`${name}.lora_A`] = tf.variable(tf.tensor2d(a, [inSize, lora.rank]), true);
      loraParams[`${name}.lora_B`] = tf.variable(tf.zeros([lora.rank, outSize]), true);
    }
  }
  const state = { training: false, dropoutStep: 0 };
  const run = (useLora: boolean) => (ids: tf.Tensor2D, o: ForwardOptions = {}) =>
    hfForward({ c, params, loraParams: useLora ? loraParams : {}, lora, state }, ids, o, blockSize);
  const policyConfig: PolicyConfig = Object.freeze({
    vocabSize: c.vocabSize,
    blockSize,
    nLayer: c.nLayer,
    nHead: c.nHead,
    nEmbd: c.hiddenSize,
    seed: lora?.seed ?? 0,
    tieHead: c.tieWordEmbeddings,
  });
  const all = Object.values(params);
  const variables = full ? all : Object.values(loraParams);
  return {
    config: policyConfig,
    hf: c,
    ...(lora ? { lora } : {}),
    variables,
    params: full ? params : { ...params, ...loraParams },
    loraParams,
    logits: (ids) => run(true)(ids).logits,
    forward: run(true),
    base: () => {
      if (!lora) {
        throw new Error(
          "Cannot take the frozen base of a policy without LoRA (the KL reference when rl.klCoef > 0): train with LoRA or set rl.klCoef to 0",
        );
      }
      return {
        config: policyConfig,
        variables: [],
        params,
        logits: (ids) => run(false)(ids).logits,
        forward: run(false),
        dispose: () => {},
      } as Policy;
    },
    setTraining: (on) => {
      state.training = on;
    },
    trainingState: () => ({ dropoutStep: state.dropoutStep }),
    setTrainingState: (saved) => {
      if (!Number.isInteger(saved.dropoutStep) || saved.dropoutStep < 0) {
        throw new RangeError(
          `Cannot restore the policy's training state: expected dropoutStep ≥ 0, got ${saved.dropoutStep}`,
        );
      }
      state.dropoutStep = saved.dropoutStep;
    },
    dispose: () => [...all, ...Object.values(loraParams)].forEach((v) => v.dispose()),
  };
}

/** The `params` key of an HF tensor name: without `.weight` (biases keep `.bias`). */
export function paramKey(name: string): string {
  return name.endsWith(".weight") ? name.slice(0, -".weight".length) : name;
}

/**
 * One checkpoint tensor as the policy holds it. Every 2-D weight is stored `[in, out]` except an
 * untied embedding: linear layers, lm_head and a tied embedding (`[V, H]` → `[H, V]`, gathered along
 * axis 1), so that every projection and the head are flag-free matMuls (flagged matMuls are several
 * times slower on wasm).
 *
 * @param c The model config.
 * @param name HF tensor name.
 * @param shape Its shape as stored by transformers.
 * @param data Its values.
 * @param trainable Whether the optimizer trains it.
 * @returns A variable the caller owns.
 * @example
 * ```ts
 * const v = hfVariable(cfg, "model.norm.weight", [cfg.hiddenSize], data, false);
 * ```
 */
export function hfVariable(
  c: HfModelConfig,
  name: string,
  shape: number[],
  data: Float32Array,
  trainable: boolean,
): tf.Variable {
  const transposed = hfStoredTransposed(c, name, shape);
  return tf.tidy(() => {
    const t = tf.tensor(data, shape, "float32");
    return tf.variable(transposed ? tf.transpose(t) : t, trainable);
  });
}

/**
 * Whether the policy holds a checkpoint tensor transposed (see {@linkcode hfVariable}).
 *
 * @param c The model config.
 * @param name HF tensor name.
 * @param shape Its shape as stored by transformers.
 * @returns True for every 2-D tensor but an untied embedding.
 * @example
 * ```ts
 * hfStoredTransposed(cfg, "model.layers.0.mlp.up_proj.weight", [1536, 512]); // true
 * ```
 */
export function hfStoredTransposed(c: HfModelConfig, name: string, shape: number[]): boolean {
  return shape.length === 2 && (paramKey(name) !== "model.embed_tokens" || c.tieWordEmbeddings);
}

function resolveLora(o: LoraOptions): Readonly<Required<LoraOptions>> {
  const { rank = 8, alpha = 16, dropout = 0, targetModules = ["q_proj", "v_proj"], seed = 0 } = o;
  if (!Number.isInteger(rank) || rank < 1 || !(dropout >= 0 && dropout < 1) || !(alpha > 0)) {
    throw new RangeError(
      `Cannot add LoRA: expected rank ≥ 1, alpha > 0, dropout in [0, 1), got ${rank}, ${alpha}, ${dropout}`,
    );
  }
  return Object.freeze({ rank, alpha, dropout, targetModules: [...targetModules], seed });
}

interface Model {
  c: HfModelConfig;
  params: Record<string, tf.Variable>;
  loraParams: Record<string, tf.Variable>;
  lora?: Readonly<Required<LoraOptions>>;
  state: { training: boolean; dropoutStep: number };
}

function hfForward(
  m: Model,
  ids: tf.Tensor2D,
  options: ForwardOptions,
  blockSize: number,
): { logits: tf.Tensor3D; kv?: LayerKv[] } {
  const { padLens, past, keepKv = false, lastOnly = false } = options;
  const { c, params: p } = m;
  const [b, t] = ids.shape;
  const pastLen = past?.[0]?.k.shape[3] ?? 0;
  if (pastLen + t > blockSize) {
    throw new RangeError(
      `Cannot run policy: expected at most blockSize ${blockSize} tokens, got ${pastLen + t}`,
    );
  }
  if (m.state.training) m.state.dropoutStep++;
  const kept: LayerKv[] = [];
  const logits = tf.tidy(() => {
    const rope = ropeTables(c, b, t, pastLen, padLens); // [B, T, 1, D] each
    const bias = attentionBias(b, t, pastLen, padLens);
    // Scalars made once per call, not once per op (each would be a new tensor).
    const sc = scalars(m);
    // Embeddings by gather: frozen under LoRA; full fine-tuning needs its gradient (not on wasm).
    let x = embed(p["model.embed_tokens"], tf.reshape(ids, [-1]), c.tieWordEmbeddings);
    for (let i = 0; i < c.nLayer; i++) {
      const l = `model.layers.${i}`;
      const h = rmsNorm(x, p[`${l}.input_layernorm`], sc.eps);
      x = tf.add(x, attention(m, h, i, { b, t, rope, bias, sc, past: past?.[i], kept, keepKv }));
      const h2 = rmsNorm(x, p[`${l}.post_attention_layernorm`], sc.eps);
      const gate = linear(m, h2, `${l}.mlp.gate_proj`, sc);
      const act = tf.mul(tf.mul(gate, tf.sigmoid(gate)), linear(m, h2, `${l}.mlp.up_proj`, sc));
      x = tf.add(x, linear(m, act as tf.Tensor2D, `${l}.mlp.down_proj`, sc));
    }
    let xf = rmsNorm(x, p["model.norm"], sc.eps);
    let rows = t;
    if (lastOnly) {
      const hs = c.hiddenSize;
      xf = tf.reshape(tf.slice(tf.reshape(xf, [b, t, hs]), [0, t - 1, 0], [b, 1, hs]), [b, hs]);
      rows = 1;
    }
    const out = tf.matMul(xf, c.tieWordEmbeddings ? p["model.embed_tokens"] : p["lm_head"]);
    for (const { k, v } of kept) tf.keep(k), tf.keep(v);
    return tf.reshape(out, [b, rows, c.vocabSize]) as tf.Tensor3D;
  });
  return keepKv ? { logits, kv: kept } : { logits };
}

/**
 * Token embeddings `[B*T, H]` by gather (a tied table is stored `[H, V]`). Gather's gradient is
 * missing on wasm: there a trainable table gets a gradient that fails with what to do instead.
 */
function embed(table: tf.Variable, ids: tf.Tensor, tied: boolean): tf.Tensor2D {
  const look = (t: tf.Tensor) =>
    (tied ? tf.transpose(tf.gather(t, ids, 1)) : tf.gather(t, ids)) as tf.Tensor2D;
  if (!table.trainable || tf.getBackend() !== "wasm") return look(table);
  const guarded = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: look(inputs[0] as tf.Tensor),
    gradFunc: () => {
      throw new Error(
        "Cannot train the embedding on the wasm backend: it has no gather gradient; use LoRA, or the cpu or tensorflow backend for full fine-tuning",
      );
    },
  }));
  return guarded(table) as tf.Tensor2D;
}

/** Scalar tensors of one forward call. */
interface Scalars {
  /** RMSNorm's epsilon. */
  eps: tf.Scalar;
  /** LoRA's alpha / rank. */
  loraScale: tf.Scalar;
}

function scalars(m: Model): Scalars {
  return {
    eps: tf.scalar(m.c.rmsNormEps),
    loraScale: tf.scalar(m.lora ? m.lora.alpha / m.lora.rank : 1),
  };
}

/**
 * `x W (+ b)` plus the LoRA update `dropout(x) A · alpha/r · B` where adapted (scaled at rank
 * width, `[B*T, r]`, the narrowest point).
 */
function linear(m: Model, x: tf.Tensor2D, name: string, sc: Scalars): tf.Tensor2D {
  let y = tf.matMul(x, m.params[name]);
  const bias = m.params[`${name}.bias`];
  if (bias) y = tf.add(y, bias);
  const a = m.loraParams[`${name}.lora_A`];
  if (a && m.lora) {
    let input = x;
    if (m.state.training && m.lora.dropout > 0) {
      const seed = m.lora.seed * 1000003 + m.state.dropoutStep;
      input = tf.dropout(x, m.lora.dropout, undefined, seed) as tf.Tensor2D;
    }
    const down = tf.mul(tf.matMul(input, a), sc.loraScale);
    y = tf.add(y, tf.matMul(down, m.loraParams[`${name}.lora_B`]));
  }
  return y as tf.Tensor2D;
}

function rmsNorm(x: tf.Tensor, weight: tf.Tensor, eps: tf.Scalar): tf.Tensor2D {
  const variance = tf.mean(tf.square(x), -1, true);
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(variance, eps))), weight) as tf.Tensor2D;
}

interface AttnArgs {
  b: number;
  t: number;
  rope: RopeTables;
  bias: tf.Tensor4D;
  sc: Scalars;
  past?: LayerKv;
  kept: LayerKv[];
  keepKv: boolean;
}

function attention(m: Model, x: tf.Tensor2D, i: number, a: AttnArgs): tf.Tensor2D {
  const { c, params: p } = m;
  const { b, t, rope, bias, past } = a;
  const { nHead, nKvHead, headDim: d } = c;
  const g = nHead / nKvHead;
  const l = `model.layers.${i}.self_attn`;
  // Heads as [B, T, h, D] (one reshape); RoPE and q/k norms act on the last axis, so they run
  // before the one transpose per tensor.
  const heads = (z: tf.Tensor, n: number) => tf.reshape(z, [b, t, n, d]) as tf.Tensor4D;
  let q = heads(linear(m, x, `${l}.q_proj`, a.sc), nHead);
  let k = heads(linear(m, x, `${l}.k_proj`, a.sc), nKvHead);
  const vNew = tf.transpose(heads(linear(m, x, `${l}.v_proj`, a.sc), nKvHead), [
    0,
    2,
    1,
    3,
  ]) as tf.Tensor4D;
  if (c.qkNorm) {
    q = rmsNorm(q, p[`${l}.q_norm`], a.sc.eps) as unknown as tf.Tensor4D;
    k = rmsNorm(k, p[`${l}.k_norm`], a.sc.eps) as unknown as tf.Tensor4D;
  }
  // q's tables carry the score scale 1/√D, so the scores need no multiply of their own.
  q = tf.transpose(applyRope(q, rope.cosQ, rope.sinQ), [0, 2, 1, 3]) as tf.Tensor4D; // [B, H, T, D]
  // [B, Hkv, D, T], as the cache keeps it
  const kNew = tf.transpose(applyRope(k, rope.cos, rope.sin), [0, 2, 3, 1]) as tf.Tensor4D;
  const kAll = past ? tf.concat([past.k, kNew], 3) as tf.Tensor4D : kNew;
  const vAll = past ? tf.concat([past.v, vNew], 2) as tf.Tensor4D : vNew;
  if (a.keepKv) a.kept.push({ k: kAll, v: vAll });
  const tk = kAll.shape[3];
  // Grouped-query attention without repeating k/v: head h uses kv head ⌊h / g⌋, so the g query
  // heads of one kv head are stacked along the time axis.
  const qg = tf.reshape(q, [b * nKvHead, g * t, d]);
  const scores = tf.matMul(qg, tf.reshape(kAll, [b * nKvHead, d, tk]));
  const w = tf.softmax(tf.add(tf.reshape(scores, [b, nHead, t, tk]), bias));
  const y = tf.matMul(
    tf.reshape(w, [b * nKvHead, g * t, tk]),
    tf.reshape(vAll, [b * nKvHead, tk, d]),
  );
  const merged = tf.reshape(tf.transpose(tf.reshape(y, [b, nHead, t, d]), [0, 2, 1, 3]), [
    b * t,
    nHead * d,
  ]);
  return linear(m, merged as tf.Tensor2D, `${l}.o_proj`, a.sc);
}

/**
 * `x cos + rotate_half(x) sin` (transformers' convention: halves, not interleaved pairs), with
 * rotate_half's negation folded into the table: `[x2, x1] · [−sin₁, sin₂]`.
 */
function applyRope(x: tf.Tensor4D, cos: tf.Tensor4D, sin: tf.Tensor4D): tf.Tensor4D {
  const [x1, x2] = tf.split(x, 2, 3);
  return tf.add(tf.mul(x, cos), tf.mul(tf.concat([x2, x1], 3), sin)) as tf.Tensor4D;
}

/** RoPE tables `[B, T, 1, D]`; the `Q` pair is scaled by the attention's 1/√D. */
interface RopeTables {
  cos: tf.Tensor4D;
  sin: tf.Tensor4D;
  cosQ: tf.Tensor4D;
  sinQ: tf.Tensor4D;
}

/**
 * cos and signed sin (first half negated, see {@linkcode applyRope}) at each row's positions (a
 * left-padded row starts at position 0), plain and times 1/√D for the queries.
 */
function ropeTables(
  c: HfModelConfig,
  b: number,
  t: number,
  pastLen: number,
  padLens?: number[],
): RopeTables {
  const inv = ropeInvFreq(c);
  const d = c.headDim;
  const half = d / 2;
  const scale = 1 / Math.sqrt(d);
  const cos = new Float32Array(b * t * d);
  const sin = new Float32Array(b * t * d);
  const cosQ = new Float32Array(b * t * d);
  const sinQ = new Float32Array(b * t * d);
  for (let r = 0; r < b; r++) {
    for (let i = 0; i < t; i++) {
      const pos = Math.max(0, pastLen + i - (padLens?.[r] ?? 0));
      for (let j = 0; j < half; j++) {
        // float32 angle, as transformers computes it
        const angle = Math.fround(pos * Math.fround(inv[j]));
        const at = (r * t + i) * d;
        const cs = Math.fround(Math.cos(angle));
        const sn = Math.fround(Math.sin(angle));
        cos[at + j] = cos[at + j + half] = cs;
        sin[at + j] = -sn;
        sin[at + j + half] = sn;
        cosQ[at + j] = cosQ[at + j + half] = cs * scale;
        sinQ[at + j] = -sn * scale;
        sinQ[at + j + half] = sn * scale;
      }
    }
  }
  const shape: [number, number, number, number] = [b, t, 1, d];
  return {
    cos: tf.tensor4d(cos, shape),
    sin: tf.tensor4d(sin, shape),
    cosQ: tf.tensor4d(cosQ, shape),
    sinQ: tf.tensor4d(sinQ, shape),
  };
}

/** Additive mask `[B, 1, T, past+T]`: causal, and keys inside a row's left padding hidden. */
function attentionBias(b: number, t: number, pastLen: number, padLens?: number[]): tf.Tensor4D {
  const tk = pastLen + t;
  const mask = new Float32Array(b * t * tk);
  for (let r = 0; r < b; r++) {
    const pad = padLens?.[r] ?? 0;
    for (let i = 0; i < t; i++) {
      for (let j = 0; j < tk; j++) {
        if (j > pastLen + i || j < pad) mask[(r * t + i) * tk + j] = -1e9;
      }
    }
  }
  return tf.tensor4d(mask, [b, 1, t, tk]);
}
