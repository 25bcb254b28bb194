/**
 * The policy of a run, from its `policy:` section: capo's built-in transformer from a capo
 * checkpoint, or a Hugging Face checkpoint (optionally with LoRA) with its tokenizer and chat
 * template; what lineage records about it (the sha256 of its weight files), and its export after
 * training (a PEFT adapter and a merged folder that transformers and vLLM load).
 * @module
 */
import type { PolicySection } from "../config/experiments.ts";
import type { InputRecord } from "../lineage/mod.ts";
import { loadCheckpoint, type Policy } from "../model/mod.ts";
import { exportHfPolicy, type HfPolicy, type HfTokenizer, openHfPolicy } from "../model/hf/mod.ts";
import { sha256Hex } from "../util/mod.ts";

/** An open policy with what the loops need to talk to it. */
export type OpenedPolicy =
  /** capo's transformer; the loops use the built-in character tokenizer. */
  | { kind: "builtin"; policy: Policy; tokenizer?: undefined; chat: false }
  /** A Hugging Face checkpoint with its own tokenizer; text prompts may use the chat template. */
  | { kind: "hf"; policy: HfPolicy; tokenizer: HfTokenizer; chat: boolean };

/**
 * Opens the policy a `policy:` section names.
 *
 * @param section The resolved section.
 * @returns The policy (dispose it when done), its tokenizer and the chat flag.
 * @throws {Error} One line naming the folder or tensor, for a missing or unsupported checkpoint.
 * @example
 * ```ts
 * const { policy } = await openPolicy(resolveSchema(POLICY_SECTION_SCHEMA, {}));
 * policy.dispose();
 * ```
 */
export async function openPolicy(section: Readonly<PolicySection>): Promise<OpenedPolicy> {
  if (section.kind === "builtin") {
    const policy = await loadCheckpoint(section.path).catch((error) => {
      throw new Error(
        `Cannot load the policy checkpoint ${section.path}: ${
          (error as Error).message.split("\n")[0]
        }; check policy.path`,
      );
    });
    return { kind: "builtin", policy, chat: false };
  }
  const { policy, tokenizer } = await openHfPolicy({
    kind: "hf",
    path: section.path,
    ...(section.blockSize > 0 ? { blockSize: section.blockSize } : {}),
    ...(section.adapter ? { adapter: section.adapter } : {}),
    lora: section.lora.rank > 0 ? { ...section.lora } : null,
  });
  return { kind: "hf", policy, tokenizer, chat: section.chat };
}

/**
 * The policy's weight files as lineage inputs (name, location, sha256).
 *
 * @param section The resolved section.
 * @returns One input per weight file.
 * @throws {Error} When the folder holds no weight file.
 * @example
 * ```ts
 * const inputs = await policyInputs({ ...section, path: "data/sft" });
 * ```
 */
export async function policyInputs(section: Readonly<PolicySection>): Promise<InputRecord[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(section.path)) {
      if (entry.isFile && entry.name.endsWith(".safetensors")) names.push(entry.name);
    }
  } catch { /* a missing folder is reported below, in one line */ }
  if (names.length === 0) {
    throw new Error(
      `Cannot read the policy checkpoint ${section.path}: expected *.safetensors files, got none; check policy.path`,
    );
  }
  const inputs: InputRecord[] = [];
  for (const name of names.sort()) {
    const bytes = await Deno.readFile(`${section.path}/${name}`);
    inputs.push({
      name: "policy",
      location: `${section.path}/${name}`,
      sha256: await sha256Hex(bytes),
      rows: 1,
    });
  }
  return inputs;
}

/**
 * Exports a trained Hugging Face policy into the run folder (`adapter/` with LoRA, `merged/`), as
 * the section's `export` asks; the built-in policy exports nothing here (its checkpoints do).
 *
 * @param opened The trained policy.
 * @param section The resolved section.
 * @param runDir The run folder.
 * @returns The folders written, with their kind, for lineage.
 * @example
 * ```ts
 * for (const { path, kind } of await exportPolicy(opened, section, run.dir)) await run.addArtifact(path, kind);
 * ```
 */
export async function exportPolicy(
  opened: OpenedPolicy,
  section: Readonly<PolicySection>,
  runDir: string,
): Promise<{ path: string; kind: string }[]> {
  if (opened.kind !== "hf") return [];
  const files = await exportHfPolicy(opened.policy, section.path, runDir, section.export);
  const out: { path: string; kind: string }[] = [];
  if (files.some((f) => f.path.includes("/adapter/"))) {
    out.push({ path: `${runDir}/adapter`, kind: "peft-adapter" });
  }
  if (files.some((f) => f.path.includes("/merged/"))) {
    out.push({ path: `${runDir}/merged`, kind: "merged-model" });
  }
  return out;
}
