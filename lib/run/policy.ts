/**
 * The policy of a run, from its `policy:` section: capo's built-in transformer from a capo
 * checkpoint, or a Hugging Face checkpoint (optionally with LoRA) with its tokenizer and chat
 * template; what lineage records about it (the sha256 of its weight files), and its export after
 * training (a PEFT adapter and a merged folder that transformers and vLLM load). `policy.path` may
 * be an http(s) URL of a folder: its files are fetched through lib/data's download cache (one entry
 * per URL, verified by sha256) and the policy loads from a folder of links to them.
 * @module
 */
import type { PolicySection } from "../config/experiments.ts";
import { DownloadError, fetchSourceFile, isRemote } from "../data/mod.ts";
import type { InputRecord } from "../lineage/mod.ts";
import { loadCheckpoint, type Policy } from "../model/mod.ts";
import { exportHfPolicy, type HfPolicy, type HfTokenizer, openHfPolicy } from "../model/hf/mod.ts";
import { sha256File, sha256Hex } from "../util/mod.ts";

/** An open policy with what the loops need to talk to it. */
export type OpenedPolicy =
  /** capo's transformer; the loops use the built-in character tokenizer. */
  | { kind: "builtin"; policy: Policy; tokenizer?: undefined; chat: false; dir: string }
  /**
   * A Hugging Face checkpoint with its own tokenizer; text prompts may use the chat template. `dir`
   * is the local folder it was loaded from (the fetched folder when `policy.path` is a URL).
   */
  | { kind: "hf"; policy: HfPolicy; tokenizer: HfTokenizer; chat: boolean; dir: string };

/** Options for {@linkcode fetchPolicyFolder}. */
export interface PolicySourceOptions {
  /** Download cache for a `policy.path` URL (created on demand). @default ".cache/capo/models" */
  cacheDir?: string;
  /** The `fetch` used for URLs (inject one in tests). @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** A policy folder fetched from a URL. */
export interface FetchedPolicyFolder {
  /** Local folder of links, named as in the remote folder, to the verified cache entries. */
  dir: string;
  /** Every file fetched, in order: its name, URL and content sha256. */
  files: { name: string; url: string; sha256: string }[];
}

/**
 * Fetches the files of a checkpoint folder given as a URL (each file is `<url>/<name>`) through
 * lib/data's download cache, and links them, under their names, into one local folder to load.
 * `hf`: `config.json`, `tokenizer.json`, `tokenizer_config.json` and `generation_config.json`
 * (these two when there: a 404 means absent), and `model.safetensors.index.json` with every shard
 * it names, else `model.safetensors`; `builtin`: `config.json` and `model.safetensors`.
 *
 * @param url The folder's http(s) URL.
 * @param kind The section's kind.
 * @param options See {@linkcode PolicySourceOptions}.
 * @returns The local folder and each file's URL and sha256.
 * @throws {Error} One line naming the URL, for a missing required file, a failed download or a
 *   malformed shard index.
 * @example
 * ```ts
 * const { dir, files } = await fetchPolicyFolder("https://example.org/qwen2.5-0.5b", "hf");
 * ```
 */
export async function fetchPolicyFolder(
  url: string,
  kind: PolicySection["kind"],
  options: PolicySourceOptions = {},
): Promise<FetchedPolicyFolder> {
  const { cacheDir = ".cache/capo/models", fetch } = options;
  const base = url.replace(/\/+$/, "");
  const dir = `${cacheDir}/${await sha256Hex(base)}`;
  await Deno.mkdir(dir, { recursive: true });
  const files: FetchedPolicyFolder["files"] = [];
  // Each file streams into the cache (never held whole); `get` returns the cached file's path.
  const get = async (name: string, required: boolean): Promise<string | undefined> => {
    const fileUrl = `${base}/${name}`;
    let source;
    try {
      source = await fetchSourceFile(fileUrl, { cacheDir, ...(fetch ? { fetch } : {}) });
    } catch (error) {
      if (!required && error instanceof DownloadError && error.status === 404) return undefined;
      throw new Error(
        `Cannot fetch the policy folder ${base}: ${(error as Error).message}; check policy.path`,
        { cause: error },
      );
    }
    await linkAtomic(`../${basename(source.path)}`, `${dir}/${name}`);
    files.push({ name, url: fileUrl, sha256: source.sha256 });
    return source.path;
  };
  const hf = kind === "hf";
  for (const name of hf ? ["config.json", "tokenizer.json"] : ["config.json"]) {
    await get(name, true);
  }
  for (const name of hf ? ["tokenizer_config.json", "generation_config.json"] : []) {
    await get(name, false);
  }
  const index = hf ? await get("model.safetensors.index.json", false) : undefined;
  if (!index) await get("model.safetensors", true);
  else {
    const indexBytes = await Deno.readFile(index);
    for (const shard of shardNames(indexBytes, `${base}/model.safetensors.index.json`)) {
      await get(shard, true);
    }
  }
  // A link left from an earlier layout of the folder (an index, now one file) would mislead the loader.
  const fetched = new Set(files.map((f) => f.name));
  for await (const entry of Deno.readDir(dir)) {
    if (!fetched.has(entry.name)) await Deno.remove(`${dir}/${entry.name}`, { recursive: true });
  }
  return { dir, files };
}

/** The shard file names of a safetensors index, each a plain name (no folder). */
function shardNames(bytes: Uint8Array, source: string): string[] {
  let map: unknown;
  try {
    map = JSON.parse(new TextDecoder().decode(bytes)).weight_map;
  } catch (error) {
    throw new SyntaxError(`Cannot read ${source}: expected JSON`, { cause: error });
  }
  const names = map && typeof map === "object" ? [...new Set(Object.values(map))] : [];
  const bad = names.find((n) =>
    typeof n !== "string" || !/^[\w.-]+\.safetensors$/.test(n) ||
    n.startsWith(".")
  );
  if (names.length === 0 || bad !== undefined) {
    throw new SyntaxError(
      `Cannot read ${source}: expected a weight_map of plain *.safetensors file names, got ${
        JSON.stringify(bad ?? map)
      }`,
    );
  }
  return (names as string[]).sort();
}

/** Points `link` at `target` (relative to the link's folder), replacing any link there atomically. */
async function linkAtomic(target: string, link: string): Promise<void> {
  const tmp = `${link}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  await Deno.symlink(target, tmp);
  try {
    await Deno.rename(tmp, link);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw error;
  }
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** The local folder a section names: its path, or the folder its URL was fetched into. */
async function localFolder(
  section: Readonly<PolicySection>,
): Promise<{ dir: string; fetched?: FetchedPolicyFolder }> {
  if (!isRemote(section.path)) return { dir: section.path };
  const fetched = await fetchPolicyFolder(section.path, section.kind, {
    cacheDir: section.cacheDir,
  });
  return { dir: fetched.dir, fetched };
}

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
  const { dir } = await localFolder(section);
  if (section.kind === "builtin") {
    const policy = await loadCheckpoint(dir).catch((error) => {
      throw new Error(
        `Cannot load the policy checkpoint ${section.path}: ${
          (error as Error).message.split("\n")[0]
        }; check policy.path`,
      );
    });
    return { kind: "builtin", policy, chat: false, dir };
  }
  const { policy, tokenizer } = await openHfPolicy({
    kind: "hf",
    path: dir,
    dtype: section.dtype,
    ...(section.blockSize > 0 ? { blockSize: section.blockSize } : {}),
    ...(section.adapter ? { adapter: section.adapter } : {}),
    lora: section.lora.rank > 0 ? { ...section.lora } : null,
  });
  return { kind: "hf", policy, tokenizer, chat: section.chat, dir };
}

/**
 * The policy's files as lineage inputs (name, location, sha256): every `*.safetensors` file of a
 * local folder; for a URL, every file fetched (weights, config, tokenizer), each by its URL.
 *
 * @param section The resolved section.
 * @returns One input per file.
 * @throws {Error} When the folder holds no weight file, or a URL's files cannot be fetched.
 * @example
 * ```ts
 * const inputs = await policyInputs({ ...section, path: "data/sft" });
 * ```
 */
export async function policyInputs(section: Readonly<PolicySection>): Promise<InputRecord[]> {
  const { fetched } = await localFolder(section);
  if (fetched) {
    return fetched.files.map((f) => ({
      name: "policy",
      location: f.url,
      sha256: f.sha256,
      rows: 1,
    }));
  }
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
    inputs.push({
      name: "policy",
      location: `${section.path}/${name}`,
      sha256: await sha256File(`${section.path}/${name}`),
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
  const files = await exportHfPolicy(opened.policy, opened.dir, runDir, {
    ...section.export,
    baseModel: section.path,
  });
  const out: { path: string; kind: string }[] = [];
  if (files.some((f) => f.path.includes("/adapter/"))) {
    out.push({ path: `${runDir}/adapter`, kind: "peft-adapter" });
  }
  if (files.some((f) => f.path.includes("/merged/"))) {
    out.push({ path: `${runDir}/merged`, kind: "merged-model" });
  }
  return out;
}
