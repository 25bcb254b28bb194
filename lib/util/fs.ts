/**
 * Crash-safe file writes: a reader never sees a half-written lineage record, checkpoint or cache
 * entry, because the bytes go to a temporary file beside the target and are renamed into place.
 * @module
 */

/** Options for {@linkcode writeFileAtomic}. */
export interface WriteFileAtomicOptions {
  /** Create missing parent folders. @default true */
  mkdirs?: boolean;
}

/**
 * Writes text or bytes to `path` atomically (temporary file in the same folder, then rename).
 *
 * @param path Destination file path.
 * @param data The content; strings are written as UTF-8.
 * @param options See {@linkcode WriteFileAtomicOptions}.
 * @example
 * ```ts
 * await writeFileAtomic("runs/abc/run.json", JSON.stringify({ status: "running" }));
 * ```
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  const { mkdirs = true } = options;
  if (mkdirs) await ensureParentDir(path);
  const tmp = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    if (typeof data === "string") await Deno.writeTextFile(tmp, data);
    else await Deno.writeFile(tmp, data);
    await Deno.rename(tmp, path);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw error;
  }
}

/**
 * Creates the folder a file path lies in (and its parents) when it is missing; a path without a
 * folder needs none.
 *
 * @param path A file path.
 * @example
 * ```ts
 * await ensureParentDir("runs/abc/rollouts.jsonl"); // runs/abc exists now
 * ```
 */
export async function ensureParentDir(path: string): Promise<void> {
  const slash = path.lastIndexOf("/");
  if (slash > 0) await Deno.mkdir(path.slice(0, slash), { recursive: true });
}

/**
 * Reads a file as text, returning `undefined` when it does not exist (other errors propagate).
 *
 * @param path File path.
 * @returns The text, or `undefined` for a missing file.
 * @example
 * ```ts
 * const text = await readTextIfExists("runs/abc/run.json");
 * ```
 */
export async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}
