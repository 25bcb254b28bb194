/**
 * Loads a Hugging Face checkpoint folder: `config.json`, `generation_config.json` (optional),
 * `model.safetensors` or a sharded `model.safetensors.index.json`. Tensors are read one at a time
 * (each file's header first, then each tensor's bytes), checked against the shapes the config
 * implies, and handed to the policy, so peak memory stays near one copy of the weights.
 * @module
 */
import { type HfModelConfig, parseHfConfig } from "./config.ts";
import { readJson } from "./_json.ts";
import { openSafetensors, type ReadScratch, type SafetensorsFile } from "./_safetensors.ts";
import {
  createHfPolicy,
  type CreateHfPolicyOptions,
  type HfPolicy,
  hfStoredTransposed,
  hfTensorShapes,
  hfVariable,
} from "./model.ts";
import { tf } from "../tf.ts";
import { assignLoraWeights, readPeftAdapter } from "./peft.ts";

/** Options for {@linkcode loadHfPolicy}. */
export interface LoadHfPolicyOptions extends CreateHfPolicyOptions {
  /** A PEFT LoRA adapter folder to attach (its settings replace `lora`'s). @default none */
  adapter?: string;
  /**
   * Bytes read per step when a tensor is transposed on load (an embedding is read in row blocks of
   * about this size through one reused buffer). @default 8 MiB
   */
  readChunkBytes?: number;
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
  const config = await streamHfWeights(dir, async (name, _shape, file) => {
    weights.set(name, await file.read(name));
  });
  return { config, weights };
}

/**
 * Checks every tensor the config needs (names and shapes), then hands each to `take` with the file
 * that holds it, in {@linkcode hfTensorShapes} order, one at a time.
 */
async function streamHfWeights(
  dir: string,
  take: (name: string, shape: number[], file: SafetensorsFile) => Promise<void>,
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
    for (const [name, shape] of shapes) await take(name, shape, where.get(name)!);
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
  const { adapter: adapterDir, readChunkBytes = 8 << 20, ...rest } = options;
  if (!(readChunkBytes > 0)) {
    throw new RangeError(`Cannot load ${dir}: expected readChunkBytes > 0, got ${readChunkBytes}`);
  }
  const adapter = adapterDir ? await readPeftAdapter(adapterDir) : undefined;
  const config = await readHfConfig(dir);
  const trainable = !rest.lora && !adapter;
  const weights = new Map<string, tf.Variable>();
  const scratch: ReadScratch = {};
  try {
    await streamHfWeights(dir, async (name, shape, file) => {
      const read = { file, scratch, chunkBytes: readChunkBytes };
      weights.set(name, await loadVariable(config, name, shape, read, trainable));
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

/**
 * One tensor as the policy's variable (see {@linkcode hfVariable}). A tensor held transposed is
 * read and transposed in row blocks through one reused buffer, so loading a large embedding holds
 * its final copy plus the transposed blocks (joined at the end), not the raw data, a copy and the
 * transposed result at once; and no per-tensor read buffers are left for the garbage collector.
 */
async function loadVariable(
  config: HfModelConfig,
  name: string,
  shape: number[],
  read: { file: SafetensorsFile; scratch: ReadScratch; chunkBytes: number },
  trainable: boolean,
): Promise<tf.Variable> {
  const { file, scratch, chunkBytes } = read;
  // Held as read: the tensor may keep the array (cpu backend; tfjs-node until first use).
  if (!hfStoredTransposed(config, name, shape)) {
    return hfVariable(config, name, shape, await file.read(name), trainable);
  }
  const [rows, cols] = shape;
  const step = Math.max(1, Math.floor(chunkBytes / (4 * cols)));
  const blocks: tf.Tensor[] = [];
  try {
    for (let from = 0; from < rows; from += step) {
      const to = Math.min(rows, from + step);
      const data = await file.read(name, { rows: [from, to], scratch });
      // transpose copies out of `data` before the next read reuses it
      blocks.push(tf.tidy(() => tf.transpose(tf.tensor2d(data, [to - from, cols]))));
    }
    return tf.tidy(() =>
      tf.variable(blocks.length === 1 ? blocks[0] : tf.concat(blocks, 1), trainable)
    );
  } finally {
    tf.dispose(blocks);
  }
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
