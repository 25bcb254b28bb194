/**
 * PEFT interchange: read a PEFT LoRA adapter folder (`adapter_config.json` +
 * `adapter_model.safetensors`) into a policy, write one that PEFT loads, and write a merged Hugging
 * Face folder (W + B·A·alpha/r, float32) that transformers and vLLM load. Written files are atomic
 * and reported with their sha256 for lineage.
 * @module
 */
import { tf } from "../tf.ts";
import { encodeSafetensors, type NamedTensor, writeTrackedFile } from "../checkpoint.ts";
import { openSafetensors } from "./_safetensors.ts";
import type { LoraOptions } from "./model.ts";
import type { HfPolicy } from "./model.ts";
import { hfTensorShapes } from "./model.ts";

/** One written file, for lineage. */
export interface ExportedFile {
  path: string;
  sha256: string;
  bytes: number;
}

/** A PEFT adapter read from disk: its LoRA settings and factors in capo's `[in, r]` / `[r, out]` layout. */
export interface PeftAdapter {
  lora: Required<Omit<LoraOptions, "seed">>;
  /** By `model.layers.N.<module>.lora_A` / `.lora_B`. */
  weights: Map<string, Float32Array>;
}

const PREFIX = "base_model.model.";

/**
 * Reads a PEFT LoRA adapter folder.
 *
 * @param dir The adapter folder.
 * @returns Settings and factors.
 * @throws {RangeError} On adapter features capo does not run (DoRA, rsLoRA, per-layer ranks, biases).
 * @example
 * ```ts
 * const adapter = await readPeftAdapter("runs/x/adapter");
 * ```
 */
export async function readPeftAdapter(dir: string): Promise<PeftAdapter> {
  const path = `${dir}/adapter_config.json`;
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    throw new Error(`Cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  const unsupported = [
    config.peft_type !== "LORA" && `peft_type ${config.peft_type}`,
    config.use_dora === true && "use_dora",
    config.use_rslora === true && "use_rslora",
    config.bias !== undefined && config.bias !== "none" && `bias ${config.bias}`,
    Object.keys(config.rank_pattern ?? {}).length > 0 && "rank_pattern",
    Object.keys(config.alpha_pattern ?? {}).length > 0 && "alpha_pattern",
    !Array.isArray(config.target_modules) && "target_modules as a regex",
    config.modules_to_save && "modules_to_save",
  ].filter(Boolean);
  if (unsupported.length) {
    throw new RangeError(
      `Cannot load ${path}: expected a plain LoRA adapter, got ${unsupported.join(", ")}`,
    );
  }
  const rank = Number(config.r);
  const lora = {
    rank,
    alpha: Number(config.lora_alpha ?? rank),
    dropout: Number(config.lora_dropout ?? 0),
    targetModules: [...(config.target_modules as string[])].sort(),
  };
  const file = await openSafetensors(`${dir}/adapter_model.safetensors`);
  const weights = new Map<string, Float32Array>();
  try {
    for (const [name, entry] of file.entries) {
      const m = /^(?:base_model\.model\.)?(.+\.lora_[AB])(?:\.default)?\.weight$/.exec(name);
      if (!m) throw new RangeError(`Cannot load ${file.path}: expected LoRA tensors, got ${name}`);
      const data = await file.read(name);
      const [rows, cols] = entry.shape;
      // PEFT keeps A [r, in] and B [out, r]; capo keeps them transposed ([in, r], [r, out]).
      weights.set(m[1], transpose(data, rows, cols));
    }
  } finally {
    file.close();
  }
  return { lora, weights };
}

/**
 * Copies adapter factors into a policy built with the same LoRA settings.
 *
 * @param policy A policy with LoRA.
 * @param adapter What {@linkcode readPeftAdapter} returned.
 * @throws {RangeError} On a missing factor or a shape mismatch.
 */
export function assignLoraWeights(policy: HfPolicy, adapter: PeftAdapter): void {
  for (const [name, variable] of Object.entries(policy.loraParams)) {
    const data = adapter.weights.get(name);
    const size = variable.shape.reduce((a, b) => a * b, 1);
    if (!data || data.length !== size) {
      throw new RangeError(
        `Cannot load adapter: expected ${name} with ${size} values, got ${data?.length ?? "none"}`,
      );
    }
    variable.assign(tf.tensor(data, variable.shape, "float32"));
  }
}

/**
 * Writes the policy's adapter as a PEFT folder (float32).
 *
 * @param policy A policy with LoRA.
 * @param dir Output folder (created).
 * @param options `baseModel`: written as `base_model_name_or_path`.
 * @returns The written files with sha256.
 * @example
 * ```ts
 * const files = await savePeftAdapter(policy, "runs/x/adapter", { baseModel: "Qwen/Qwen2.5-0.5B" });
 * ```
 */
export async function savePeftAdapter(
  policy: HfPolicy,
  dir: string,
  options: { baseModel?: string } = {},
): Promise<ExportedFile[]> {
  const lora = policy.lora;
  if (!lora) {
    throw new Error("Cannot save adapter: the policy has no LoRA; use saveMergedCheckpoint");
  }
  const tensors: NamedTensor[] = [];
  for (
    const [name, v] of Object.entries(policy.loraParams).sort(([a], [b]) => a.localeCompare(b))
  ) {
    const [rows, cols] = v.shape;
    tensors.push({
      name: `${PREFIX}${name}.weight`,
      shape: [cols, rows],
      data: transpose(await v.data() as Float32Array, rows, cols),
    });
  }
  const config = {
    peft_type: "LORA",
    task_type: "CAUSAL_LM",
    base_model_name_or_path: options.baseModel ?? null,
    r: lora.rank,
    lora_alpha: lora.alpha,
    lora_dropout: lora.dropout,
    target_modules: lora.targetModules,
    bias: "none",
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: true,
    use_rslora: false,
    use_dora: false,
    modules_to_save: null,
  };
  await Deno.mkdir(dir, { recursive: true });
  return [
    await writeTrackedFile(`${dir}/adapter_config.json`, JSON.stringify(config, null, 2) + "\n"),
    await writeTrackedFile(
      `${dir}/adapter_model.safetensors`,
      encodeSafetensors(tensors, { format: "pt" }),
    ),
  ];
}

/**
 * Writes a merged Hugging Face folder: the base weights with every adapter folded in, float32,
 * plus the source folder's config (dtype set to float32), generation config and tokenizer files.
 *
 * @param policy The policy (with or without LoRA).
 * @param sourceDir The checkpoint folder the policy was loaded from.
 * @param dir Output folder (created).
 * @returns The written files with sha256.
 * @example
 * ```ts
 * await saveMergedCheckpoint(policy, "models/qwen2.5-0.5b", "runs/x/merged");
 * ```
 */
export async function saveMergedCheckpoint(
  policy: HfPolicy,
  sourceDir: string,
  dir: string,
): Promise<ExportedFile[]> {
  const tensors: NamedTensor[] = [];
  const scale = policy.lora ? policy.lora.alpha / policy.lora.rank : 0;
  for (const [name, shape] of hfTensorShapes(policy.hf)) {
    const key = name.endsWith(".weight") ? name.slice(0, -".weight".length) : name;
    const v = policy.params[key];
    const a = policy.loraParams[`${key}.lora_A`];
    const merged = tf.tidy(() => {
      let w: tf.Tensor = v;
      if (a) w = tf.add(w, tf.mul(tf.matMul(a, policy.loraParams[`${key}.lora_B`]), scale));
      // Linear weights, lm_head and a tied embedding are kept [in, out]; transformers stores [out, in].
      const transposed = v.shape.length === 2 &&
        (key !== "model.embed_tokens" || policy.hf.tieWordEmbeddings);
      return transposed ? tf.transpose(w) : tf.clone(w);
    });
    tensors.push({ name, shape, data: await merged.data() as Float32Array });
    merged.dispose();
  }
  await Deno.mkdir(dir, { recursive: true });
  const files = [
    await writeTrackedFile(
      `${dir}/model.safetensors`,
      encodeSafetensors(tensors, { format: "pt" }),
    ),
  ];
  const config = JSON.parse(await Deno.readTextFile(`${sourceDir}/config.json`));
  if ("torch_dtype" in config) config.torch_dtype = "float32";
  else config.dtype = "float32";
  files.push(await writeTrackedFile(`${dir}/config.json`, JSON.stringify(config, null, 2) + "\n"));
  for (const name of ["generation_config.json", "tokenizer.json", "tokenizer_config.json"]) {
    let data: Uint8Array;
    try {
      data = await Deno.readFile(`${sourceDir}/${name}`);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) continue;
      throw error;
    }
    files.push(await writeTrackedFile(`${dir}/${name}`, data));
  }
  return files;
}

function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  }
  return out;
}
