/**
 * Hugging Face `config.json` and `generation_config.json` → the typed config of a Llama, Qwen2 or
 * Qwen3 causal LM. Reads both spellings found in the wild: `rope_theta` / `rope_scaling` /
 * `torch_dtype` (transformers 4, most published checkpoints) and `rope_parameters` / `dtype`
 * (transformers 5).
 * @module
 */

/** Architectures capo runs, by their `architectures[0]` name. */
export const HF_ARCHITECTURES: Readonly<Record<string, HfArch>> = Object.freeze({
  LlamaForCausalLM: "llama",
  Qwen2ForCausalLM: "qwen2",
  Qwen3ForCausalLM: "qwen3",
});

/** A supported model family. */
export type HfArch = "llama" | "qwen2" | "qwen3";

/** The llama3 RoPE frequency scaling (Llama 3.1 / 3.2). */
export interface Llama3RopeScaling {
  factor: number;
  lowFreqFactor: number;
  highFreqFactor: number;
  originalMaxPositionEmbeddings: number;
}

/** What the forward pass needs to know about a checkpoint. */
export interface HfModelConfig {
  arch: HfArch;
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  nLayer: number;
  nHead: number;
  nKvHead: number;
  headDim: number;
  rmsNormEps: number;
  ropeTheta: number;
  /** llama3 scaling, or undefined for plain RoPE. */
  ropeScaling?: Llama3RopeScaling;
  maxPositionEmbeddings: number;
  tieWordEmbeddings: boolean;
  /** q/k/v projections carry biases (Qwen2; Llama with `attention_bias`). */
  qkvBias: boolean;
  /** o_proj carries a bias (Llama with `attention_bias`). */
  oBias: boolean;
  /** Per-head RMSNorm of q and k before RoPE (Qwen3). */
  qkNorm: boolean;
  /** dtype the weights are stored in (`float32`, `bfloat16`, `float16`). */
  storedDtype: string;
  /** Ids that end a generation (generation_config.json, else config.json). */
  eosIds: number[];
  bosId?: number;
  padId?: number;
}

/**
 * Parses the two JSON files of a checkpoint folder.
 *
 * @param config The parsed `config.json`.
 * @param generation The parsed `generation_config.json`, if any.
 * @param source Folder name for error messages.
 * @returns The typed config.
 * @throws {RangeError} On an unsupported architecture, RoPE type or missing field.
 * @example
 * ```ts
 * const cfg = parseHfConfig(JSON.parse(await Deno.readTextFile("m/config.json")), undefined, "m");
 * ```
 */
export function parseHfConfig(
  config: Record<string, unknown>,
  generation: Record<string, unknown> | undefined,
  source: string,
): HfModelConfig {
  const file = `${source}/config.json`;
  const archName = (config.architectures as string[] | undefined)?.[0];
  const arch = archName ? HF_ARCHITECTURES[archName] : undefined;
  if (!arch) {
    throw new RangeError(
      `Cannot load ${file}: expected architectures[0] one of ${
        Object.keys(HF_ARCHITECTURES).join(", ")
      }, got ${JSON.stringify(archName ?? null)}`,
    );
  }
  const int = (key: string, fallback?: number): number => {
    const value = config[key] ?? fallback;
    if (!Number.isInteger(value) || (value as number) < 1) {
      throw new RangeError(`Cannot load ${file}: expected ${key} a positive integer, got ${value}`);
    }
    return value as number;
  };
  const hiddenSize = int("hidden_size");
  const nHead = int("num_attention_heads");
  const rope = (config.rope_parameters ?? config.rope_scaling ?? {}) as Record<string, unknown>;
  const ropeTheta = Number(config.rope_theta ?? rope.rope_theta ?? 10000);
  const ropeType = String(rope.rope_type ?? rope.type ?? "default");
  let ropeScaling: Llama3RopeScaling | undefined;
  if (ropeType === "llama3") {
    ropeScaling = {
      factor: Number(rope.factor),
      lowFreqFactor: Number(rope.low_freq_factor),
      highFreqFactor: Number(rope.high_freq_factor),
      originalMaxPositionEmbeddings: Number(rope.original_max_position_embeddings),
    };
    if (Object.values(ropeScaling).some((v) => !(v > 0))) {
      throw new RangeError(
        `Cannot load ${file}: expected llama3 rope scaling factors, got ${JSON.stringify(rope)}`,
      );
    }
  } else if (ropeType !== "default") {
    throw new RangeError(
      `Cannot load ${file}: expected rope type default or llama3, got ${JSON.stringify(ropeType)}`,
    );
  }
  if (config.use_sliding_window === true) {
    throw new RangeError(
      `Cannot load ${file}: expected use_sliding_window false (sliding-window attention is not supported), got true`,
    );
  }
  const attentionBias = config.attention_bias === true;
  const ids = (value: unknown): number[] =>
    (Array.isArray(value) ? value : value === undefined || value === null ? [] : [value])
      .filter((v) => Number.isInteger(v)) as number[];
  const eosIds = ids(generation?.eos_token_id ?? config.eos_token_id);
  const bos = generation?.bos_token_id ?? config.bos_token_id;
  const pad = generation?.pad_token_id ?? config.pad_token_id;
  return {
    arch,
    vocabSize: int("vocab_size"),
    hiddenSize,
    intermediateSize: int("intermediate_size"),
    nLayer: int("num_hidden_layers"),
    nHead,
    nKvHead: int("num_key_value_heads", nHead),
    headDim: int("head_dim", hiddenSize / nHead),
    rmsNormEps: Number(config.rms_norm_eps ?? 1e-6),
    ropeTheta,
    ...(ropeScaling ? { ropeScaling } : {}),
    maxPositionEmbeddings: int("max_position_embeddings", 2048),
    tieWordEmbeddings: config.tie_word_embeddings === true,
    qkvBias: arch === "qwen2" || attentionBias,
    oBias: arch !== "qwen2" && attentionBias,
    qkNorm: arch === "qwen3",
    storedDtype: String(config.dtype ?? config.torch_dtype ?? "float32"),
    eosIds,
    ...(Number.isInteger(bos) ? { bosId: bos as number } : {}),
    ...(Number.isInteger(pad) ? { padId: pad as number } : {}),
  };
}

/**
 * Inverse RoPE frequencies `[headDim / 2]`, with llama3 scaling when configured (as transformers
 * computes them).
 *
 * @param config The model config.
 * @returns One frequency per pair of channels.
 * @example
 * ```ts
 * ropeInvFreq(cfg).length; // cfg.headDim / 2
 * ```
 */
export function ropeInvFreq(config: HfModelConfig): Float64Array {
  const half = config.headDim / 2;
  const inv = new Float64Array(half);
  for (let i = 0; i < half; i++) inv[i] = 1 / config.ropeTheta ** ((2 * i) / config.headDim);
  const s = config.ropeScaling;
  if (!s) return inv;
  const lowWavelen = s.originalMaxPositionEmbeddings / s.lowFreqFactor;
  const highWavelen = s.originalMaxPositionEmbeddings / s.highFreqFactor;
  for (let i = 0; i < half; i++) {
    const wavelen = (2 * Math.PI) / inv[i];
    if (wavelen > lowWavelen) inv[i] = inv[i] / s.factor;
    else if (wavelen >= highWavelen) {
      const smooth = (s.originalMaxPositionEmbeddings / wavelen - s.lowFreqFactor) /
        (s.highFreqFactor - s.lowFreqFactor);
      inv[i] = (1 - smooth) * inv[i] / s.factor + smooth * inv[i];
    }
  }
  return inv;
}
