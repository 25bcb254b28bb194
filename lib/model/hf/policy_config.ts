/**
 * The `policy: {kind: hf, ...}` section as the runner uses it: open a checkpoint folder as policy +
 * tokenizer, and export a trained policy (PEFT adapter and/or merged folder) with sha256 for lineage.
 * @module
 */
import { loadHfPolicy } from "./load.ts";
import type { HfPolicy, LoraOptions } from "./model.ts";
import { type ExportedFile, saveMergedCheckpoint, savePeftAdapter } from "./peft.ts";
import { type HfTokenizer, loadHfTokenizer } from "./tokenizer.ts";

/** The hf policy section of a run config. */
export interface HfPolicyConfig {
  kind: "hf";
  /** Checkpoint folder. */
  path: string;
  /**
   * How weights are held; only float32: TensorFlow.js has no 16-bit float tensors on any backend,
   * so f16 and bf16 files are widened to float32 as they load. @default "float32"
   */
  dtype?: "float32";
  /** Longest prompt + response, tokens. @default min(max_position_embeddings, 4096) */
  blockSize?: number;
  /** Prompts go through the chat template. @default true */
  chat?: boolean;
  /** A PEFT adapter to start from (its LoRA settings win). @default none */
  adapter?: string;
  /** LoRA settings; absent or null trains every weight. @default null */
  lora?: LoraOptions | null;
}

/**
 * Opens the checkpoint folder of a policy section.
 *
 * @param config The section.
 * @returns Policy and tokenizer (dispose the policy when done).
 * @throws {RangeError} On an unsupported dtype, architecture, missing tensor or shape mismatch.
 * @example
 * ```ts
 * const { policy, tokenizer } = await openHfPolicy({ kind: "hf", path: "models/qwen", lora: { rank: 8 } });
 * ```
 */
export async function openHfPolicy(
  config: HfPolicyConfig,
): Promise<{ policy: HfPolicy; tokenizer: HfTokenizer }> {
  const { path, dtype = "float32", blockSize, adapter, lora } = config;
  if (dtype !== "float32") {
    throw new RangeError(
      `Cannot open policy ${path}: expected dtype float32, got ${dtype} (TensorFlow.js has no 16-bit float tensors on any backend; f16 and bf16 files are widened to float32 as they load)`,
    );
  }
  const tokenizer = await loadHfTokenizer(path);
  const policy = await loadHfPolicy(path, {
    ...(blockSize ? { blockSize } : {}),
    ...(lora ? { lora } : {}),
    ...(adapter ? { adapter } : {}),
  });
  return { policy, tokenizer };
}

/**
 * Exports a trained policy: `outDir/adapter` (PEFT, when it has LoRA) and `outDir/merged`
 * (transformers / vLLM).
 *
 * @param policy The trained policy.
 * @param sourceDir The checkpoint folder it was loaded from.
 * @param outDir Run folder.
 * @param options Which exports to write (@default both) and the adapter's
 *   `base_model_name_or_path` (@default sourceDir).
 * @returns Every written file with its sha256.
 * @example
 * ```ts
 * const files = await exportHfPolicy(policy, "models/qwen", "runs/abc");
 * ```
 */
export async function exportHfPolicy(
  policy: HfPolicy,
  sourceDir: string,
  outDir: string,
  options: { adapter?: boolean; merged?: boolean; baseModel?: string } = {},
): Promise<ExportedFile[]> {
  const { adapter = true, merged = true, baseModel = sourceDir } = options;
  const files: ExportedFile[] = [];
  if (adapter && policy.lora) {
    files.push(...await savePeftAdapter(policy, `${outDir}/adapter`, { baseModel }));
  }
  if (merged) files.push(...await saveMergedCheckpoint(policy, sourceDir, `${outDir}/merged`));
  return files;
}
