/**
 * Policy checkpoints: `model.safetensors` (the Hugging Face format, written here: 8-byte
 * little-endian header length, JSON header of dtype/shape/data_offsets, raw little-endian data)
 * plus `config.json` (policy config, the weights' sha256, caller metadata). Both are written
 * atomically; loading checks the hash and restores bit-identical weights.
 * @module
 */
import { createPolicy, paramShapes, type Policy, type PolicyConfig } from "./transformer.ts";
import { sha256Hex, writeFileAtomic } from "../util/mod.ts";

/** One written file with its content hash, for lineage. */
export interface CheckpointFile {
  path: string;
  sha256: string;
  bytes: number;
}

/** A named float32 tensor for {@linkcode encodeSafetensors}. */
export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/**
 * Encodes float32 tensors as safetensors bytes (header padded with spaces to 8 bytes).
 *
 * @param tensors Tensors in the order their data is laid out.
 * @param metadata String metadata stored under `__metadata__`.
 * @returns The file bytes.
 * @example
 * ```ts
 * const bytes = encodeSafetensors([{ name: "w", shape: [2], data: new Float32Array([1, 2]) }]);
 * ```
 */
export function encodeSafetensors(
  tensors: NamedTensor[],
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const { name, shape, data } of tensors) {
    header[name] = { dtype: "F32", shape, data_offsets: [offset, offset + data.length * 4] };
    offset += data.length * 4;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (new TextEncoder().encode(json).length % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const bytes = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  bytes.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const { data } of tensors) {
    for (let i = 0; i < data.length; i++, at += 4) view.setFloat32(at, data[i], true);
  }
  return bytes;
}

/**
 * Decodes safetensors bytes holding float32 tensors.
 *
 * @param bytes The file bytes.
 * @param source A name for error messages.
 * @returns Tensors by name and the metadata.
 * @throws {SyntaxError} On a malformed header, a non-F32 dtype or offsets outside the file.
 * @example
 * ```ts
 * const { tensors } = decodeSafetensors(await Deno.readFile("model.safetensors"));
 * ```
 */
export function decodeSafetensors(
  bytes: Uint8Array,
  source = "safetensors",
): { tensors: Record<string, NamedTensor>; metadata: Record<string, string> } {
  const fail = (what: string): never => {
    throw new SyntaxError(`Cannot read ${source}: ${what}`);
  };
  if (bytes.length < 8) fail(`expected at least 8 bytes, got ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (8 + headerLength > bytes.length) fail(`expected a header of ${headerLength} bytes to fit`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch (error) {
    throw new SyntaxError(`Cannot read ${source}: expected a JSON header`, { cause: error });
  }
  const metadata = (header.__metadata__ ?? {}) as unknown as Record<string, string>;
  const base = 8 + headerLength;
  const tensors: Record<string, NamedTensor> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const { dtype, shape, data_offsets: [start, end] } = entry;
    if (dtype !== "F32") fail(`expected dtype F32 for ${name}, got ${dtype}`);
    const size = shape.reduce((a, b) => a * b, 1);
    if (end - start !== size * 4 || base + end > bytes.length) {
      fail(`expected ${size * 4} bytes inside the file for ${name}, got [${start}, ${end})`);
    }
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = view.getFloat32(base + start + 4 * i, true);
    tensors[name] = { name, shape, data };
  }
  return { tensors, metadata };
}

/**
 * Saves a policy to `dir/model.safetensors` and `dir/config.json`, each written atomically.
 *
 * @param policy The policy.
 * @param dir Folder (created if missing).
 * @param meta JSON-serialisable metadata stored in config.json (step, run id, tokenizer, ...).
 * @returns Each file's path, sha256 and size in bytes.
 * @example
 * ```ts
 * const { files } = await saveCheckpoint(policy, "runs/x/ckpt-100", { step: 100 });
 * ```
 */
export async function saveCheckpoint(
  policy: Policy,
  dir: string,
  meta: Record<string, unknown> = {},
): Promise<{ files: CheckpointFile[] }> {
  const tensors: NamedTensor[] = [];
  for (const [name, shape] of paramShapes(policy.config)) {
    const data = await policy.params[name].data() as Float32Array;
    tensors.push({ name, shape, data });
  }
  const weights = encodeSafetensors(tensors, { format: "capo-policy" });
  const weightsFile = await writeTrackedFile(`${dir}/model.safetensors`, weights);
  const config = JSON.stringify(
    {
      format: "capo-policy",
      version: 1,
      policy: policy.config,
      weightsSha256: weightsFile.sha256,
      meta,
    },
    null,
    2,
  ) + "\n";
  return { files: [weightsFile, await writeTrackedFile(`${dir}/config.json`, config)] };
}

/**
 * Writes a file atomically and describes it for lineage (path, sha256, size).
 *
 * @param path Where to write.
 * @param data Text (UTF-8) or bytes.
 * @returns The written file's path, content sha256 and size in bytes.
 * @example
 * ```ts
 * const file = await writeTrackedFile("/tmp/run/state.json", "{}\n");
 * console.log(file.sha256, file.bytes); // ..., 3
 * ```
 */
export async function writeTrackedFile(
  path: string,
  data: string | Uint8Array,
): Promise<CheckpointFile> {
  await writeFileAtomic(path, data);
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  return { path, sha256: await sha256Hex(bytes), bytes: bytes.length };
}

/**
 * Loads a policy saved by {@linkcode saveCheckpoint} onto the current backend.
 *
 * @param dir The checkpoint folder.
 * @returns The policy with bit-identical weights.
 * @throws {SyntaxError} On a malformed config.json or safetensors file.
 * @throws {Error} When the weights' sha256 differs from the one config.json records.
 * @example
 * ```ts
 * const policy = await loadCheckpoint("data/sft");
 * ```
 */
export async function loadCheckpoint(dir: string): Promise<Policy> {
  const { policy: config, weightsSha256 } = await readCheckpointConfig(dir);
  const bytes = await Deno.readFile(`${dir}/model.safetensors`);
  const actual = await sha256Hex(bytes);
  if (weightsSha256 && actual !== weightsSha256) {
    throw new Error(
      `Cannot load ${dir}/model.safetensors: expected sha256 ${weightsSha256}, got ${actual}`,
    );
  }
  const { tensors } = decodeSafetensors(bytes, `${dir}/model.safetensors`);
  const weights: Record<string, Float32Array> = {};
  for (const [name, shape] of paramShapes(config)) {
    const tensor = tensors[name];
    if (!tensor || tensor.shape.join() !== shape.join()) {
      throw new SyntaxError(
        `Cannot load ${dir}/model.safetensors: expected ${name} of shape [${shape}], got ${
          tensor ? `[${tensor.shape}]` : "nothing"
        }`,
      );
    }
    weights[name] = tensor.data;
  }
  return createPolicy(config, weights);
}

/**
 * Reads a checkpoint's config.json (policy config, weights hash, metadata).
 *
 * @param dir The checkpoint folder.
 * @returns The parsed record.
 * @throws {SyntaxError} When config.json is not a capo policy record.
 * @example
 * ```ts
 * const { policy, meta } = await readCheckpointConfig("data/sft");
 * ```
 */
export async function readCheckpointConfig(
  dir: string,
): Promise<{ policy: PolicyConfig; weightsSha256?: string; meta: Record<string, unknown> }> {
  const path = `${dir}/config.json`;
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw error;
    throw new SyntaxError(`Cannot read ${path}: expected JSON`, { cause: error });
  }
  if (record?.format !== "capo-policy" || typeof record.policy !== "object") {
    throw new SyntaxError(
      `Cannot read ${path}: expected format "capo-policy" with a policy field, got ${
        JSON.stringify(record?.format)
      }`,
    );
  }
  return {
    policy: record.policy as PolicyConfig,
    weightsSha256: record.weightsSha256 as string | undefined,
    meta: (record.meta ?? {}) as Record<string, unknown>,
  };
}
