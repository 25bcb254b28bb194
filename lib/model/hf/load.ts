/**
 * Loads a Hugging Face checkpoint folder: `config.json`, `generation_config.json` (optional),
 * `model.safetensors` or a sharded `model.safetensors.index.json`. Tensors are read one at a time
 * (each file's header first, then each tensor's bytes), checked against the shapes the config
 * implies, and handed to the policy, so peak memory stays near one copy of the weights.
 * @module
 */
import { type HfModelConfig, parseHfConfig } from "./config.ts";
import { readJson } from "./_json.ts";
import { openSafetensors, type SafetensorsFile } from "./_safetensors.ts";
import {
  createHfPolicy,
  type CreateHfPolicyOptions,
  type HfPolicy,
  hfTensorShapes,
  hfVariable,
} from "./model.ts";
import type { tf } from "../tf.ts";
import { assignLoraWeights, readPeftAdapter } from "./peft.ts";

/** Options for {@linkcode loadHfPolicy}. */
export interface LoadHfPolicyOptions extends CreateHfPolicyOptions {
  /** A PEFT LoRA adapter folder to attach (its settings replace `lora`'s). @default none */
  adapter?: string;
}

/** Reads and parses the folder's `config.json` and `generation_config.json`. */
export async function readHfConfig(dir: string): Promise<HfModelConfig> {
  const config = await readJson(`${dir}/config.json`, true);
  const generation = await readJson(`${dir}/generation_config.json`, false);
  return parseHfConfig(config!, generation, dir);
}

/**
 * Reads every tensor the config needs, checking names and shapes.
 *
 * @param dir The checkpoint folder.
 * @returns The config and float32 weights by HF tensor name.
 * @throws {RangeError} On a missing tensor or a shape mismatch (naming the file and tensor).
 * @throws {SyntaxError} On a malformed file.
 * @example
 * ```ts
 * const { config, weights } = await readHfWeights("models/qwen2.5-0.5b-instruct");
 * ```
 */
export async function readHfWeights(
  dir: string,
): Promise<{ config: HfModelConfig; weights: Map<string, Float32Array> }> {
  const weights = new Map<string, Float32Array>();
  const config = await streamHfWeights(dir, (name, _shape, data) => weights.set(name, data));
  return { config, weights };
}

/**
 * Reads every tensor the config needs, checking names and shapes, and hands each to `take` as soon
 * as it is read (so only one tensor's raw data is alive at a time).
 */
async function streamHfWeights(
  dir: string,
  take: (name: string, shape: number[], data: Float32Array) => void,
  configured?: HfModelConfig,
): Promise<HfModelConfig> {
  const config = configured ?? await readHfConfig(dir);
  const files = await openWeightFiles(dir);
  try {
    const where = new Map<string, SafetensorsFile>();
    for (const file of files) for (const name of file.entries.keys()) where.set(name, file);
    const shapes = hfTensorShapes(config);
    // Check every name and shape before reading any data: a bad file fails fast.
    for (const [name, shape] of shapes) {
      const file = where.get(name);
      if (!file) {
        throw new RangeError(
          `Cannot load ${dir}: expected tensor ${name} in ${
            files.map((f) => basename(f.path)).join(", ")
          }, not found`,
        );
      }
      const got = file.entries.get(name)!.shape;
      if (got.length !== shape.length || got.some((s, i) => s !== shape[i])) {
        throw new RangeError(
          `Cannot load ${file.path}: expected tensor ${name} of shape [${shape}], got [${got}]`,
        );
      }
    }
    for (const [name, shape] of shapes) take(name, shape, await where.get(name)!.read(name));
  } finally {
    for (const file of files) file.close();
  }
  return config;
}

/**
 * Loads a checkpoint folder as a policy.
 *
 * @param dir The checkpoint folder.
 * @param options LoRA, adapter and block size (see {@linkcode LoadHfPolicyOptions}).
 * @returns The policy (dispose when done).
 * @throws {RangeError} On an unsupported architecture, a missing tensor or a shape mismatch.
 * @example
 * ```ts
 * const policy = await loadHfPolicy("models/qwen2.5-0.5b-instruct", { lora: { rank: 8 } });
 * ```
 */
export async function loadHfPolicy(
  dir: string,
  options: LoadHfPolicyOptions = {},
): Promise<HfPolicy> {
  const { adapter: adapterDir, ...rest } = options;
  const adapter = adapterDir ? await readPeftAdapter(adapterDir) : undefined;
  const config = await readHfConfig(dir);
  const trainable = !rest.lora && !adapter;
  const weights = new Map<string, tf.Variable>();
  try {
    await streamHfWeights(dir, (name, shape, data) => {
      weights.set(name, hfVariable(config, name, shape, data, trainable));
    }, config);
  } catch (error) {
    for (const v of weights.values()) v.dispose();
    throw error;
  }
  if (!adapter) return createHfPolicy(config, weights, rest);
  const policy = createHfPolicy(config, weights, {
    ...rest,
    lora: { ...adapter.lora, seed: rest.lora?.seed ?? 0 },
  });
  try {
    assignLoraWeights(policy, adapter);
  } catch (error) {
    policy.dispose();
    throw error;
  }
  return policy;
}

async function openWeightFiles(dir: string): Promise<SafetensorsFile[]> {
  const index = await readJson(`${dir}/model.safetensors.index.json`, false);
  if (!index) return [await openSafetensors(`${dir}/model.safetensors`)];
  const map = index.weight_map as Record<string, string> | undefined;
  if (!map || typeof map !== "object") {
    throw new SyntaxError(
      `Cannot load ${dir}/model.safetensors.index.json: expected a weight_map object`,
    );
  }
  const files: SafetensorsFile[] = [];
  try {
    for (const shard of [...new Set(Object.values(map))].sort()) {
      files.push(await openSafetensors(`${dir}/${shard}`));
    }
  } catch (error) {
    for (const file of files) file.close();
    throw error;
  }
  return files;
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
