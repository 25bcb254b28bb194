/**
 * Reads a dataset's bytes from a local path or an http(s) URL. URLs are downloaded once into a cache
 * folder (one entry per URL, keyed by the URL's sha256) and verified by the content's sha256 each
 * time the entry is reused; a corrupt entry is downloaded again. Lineage records the sha256.
 * Downloads and checks stream through the file, so a multi-GB weight file is never held whole.
 * @module
 */
import { createHash } from "node:crypto";
import {
  ensureParentDir,
  readTextIfExists,
  sha256File,
  sha256Hex,
  writeFileAtomic,
} from "../util/mod.ts";

/** Options for {@linkcode readSource}. */
export interface ReadSourceOptions {
  /** Folder holding downloaded files (created on demand). @default ".cache/capo/datasets" */
  cacheDir?: string;
  /** The `fetch` used for URLs (inject one in tests). @default globalThis.fetch */
  fetch?: typeof fetch;
  /** When set, the content's hex sha256 must equal this, or the read fails. @default undefined */
  expectedSha256?: string;
  /** Download again even when a valid cache entry exists. @default false */
  refresh?: boolean;
  /** Time limit of one download, in milliseconds. @default 300000 */
  timeoutMs?: number;
}

/** What {@linkcode readSource} returns. */
export interface SourceBytes {
  /** The path or URL as given. */
  location: string;
  /** The content. */
  bytes: Uint8Array;
  /** Hex sha256 of the content. */
  sha256: string;
  /** Where the bytes came from: a local file, a valid cache entry, or a fresh download. */
  origin: "file" | "cache" | "download";
  /** The local file holding the bytes (the cache entry for URLs). */
  path: string;
}

/** What {@linkcode fetchSourceFile} returns: {@linkcode SourceBytes} without the bytes. */
export type SourceFile = Omit<SourceBytes, "bytes">;

/** A download answered with an HTTP error status; `status` lets a caller treat 404 as "absent". */
export class DownloadError extends Error {
  /** The HTTP status. */
  readonly status: number;
  /**
   * @param message One line naming the URL and the status.
   * @param status The HTTP status.
   */
  constructor(message: string, status: number) {
    super(message);
    this.name = "DownloadError";
    this.status = status;
  }
}

interface CacheMeta {
  url: string;
  sha256: string;
  bytes: number;
  fetchedAt: string;
}

/**
 * Whether a location is an http(s) URL (otherwise it is a local path or `file:` URL).
 *
 * @param location A path or URL.
 * @returns `true` for `http://` and `https://` locations.
 * @example
 * ```ts
 * isRemote("https://example.org/test.jsonl"); // true
 * isRemote("data/test.jsonl"); // false
 * ```
 */
export function isRemote(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

/**
 * Reads the bytes of a local file or URL, through the download cache for URLs.
 *
 * @param location A local path, a `file:` URL, or an http(s) URL.
 * @param options See {@linkcode ReadSourceOptions}.
 * @returns The bytes, their sha256 and where they came from.
 * @throws {Deno.errors.NotFound} When a local file does not exist.
 * @throws {DownloadError} When the server answers with a non-2xx status.
 * @throws {Error} When a download fails otherwise (network error, timeout) or the content's sha256
 *   differs from `expectedSha256`.
 * @example
 * ```ts
 * const src = await readSource("https://example.org/gsm8k/test.jsonl", { cacheDir: "/tmp/capo" });
 * console.log(src.sha256, src.origin); // "download" the first time, "cache" after
 * ```
 */
export async function readSource(
  location: string,
  options: ReadSourceOptions = {},
): Promise<SourceBytes> {
  if (!isRemote(location)) {
    // A local file is read once, and hashed from those bytes.
    const path = localPath(location);
    const bytes = await Deno.readFile(path);
    const sha256 = await sha256Hex(bytes);
    verifyPin(location, sha256, options.expectedSha256);
    return { location, bytes, sha256, origin: "file", path };
  }
  const file = await fetchSourceFile(location, options);
  return { ...file, bytes: await Deno.readFile(file.path) };
}

/** The path of a local location (a path, or a `file:` URL). */
function localPath(location: string): string {
  return location.startsWith("file:") ? decodeURIComponent(new URL(location).pathname) : location;
}

/**
 * Like {@linkcode readSource}, but returns the local file (the cache entry for URLs) instead of
 * its bytes: downloads and checks stream through the file, for files too large to hold whole.
 *
 * @param location A local path, a `file:` URL, or an http(s) URL.
 * @param options See {@linkcode ReadSourceOptions}.
 * @returns The local path, the content's sha256 and where it came from.
 * @throws {Deno.errors.NotFound} When a local file does not exist.
 * @throws {DownloadError} When the server answers with a non-2xx status.
 * @throws {Error} When a download fails otherwise or the content's sha256 differs from
 *   `expectedSha256`.
 * @example
 * ```ts
 * const weights = await fetchSourceFile("https://example.org/qwen/model.safetensors");
 * console.log(weights.path, weights.sha256);
 * ```
 */
export async function fetchSourceFile(
  location: string,
  options: ReadSourceOptions = {},
): Promise<SourceFile> {
  const {
    cacheDir = ".cache/capo/datasets",
    fetch: fetchFn = globalThis.fetch,
    expectedSha256,
    refresh = false,
    timeoutMs = 300_000,
  } = options;
  let result: SourceFile;
  if (!isRemote(location)) {
    const path = localPath(location);
    result = { location, sha256: await sha256File(path), origin: "file", path };
  } else {
    const key = await sha256Hex(location);
    const path = `${cacheDir}/${key}.data`;
    const metaPath = `${cacheDir}/${key}.json`;
    const cached = refresh ? undefined : await readCached(path, metaPath, location);
    const check = (sha256: string) => verifyPin(location, sha256, expectedSha256);
    result = cached ?? await download(location, path, metaPath, fetchFn, timeoutMs, check);
  }
  verifyPin(location, result.sha256, expectedSha256);
  return result;
}

function verifyPin(location: string, sha256: string, expected: string | undefined): void {
  if (expected !== undefined && sha256 !== expected.toLowerCase()) {
    throw new Error(
      `Cannot verify ${location}: expected sha256 ${expected}, got ${sha256}; check the URL or update the pinned hash`,
    );
  }
}

/** The cache entry when it exists and its content still hashes to the recorded sha256. */
async function readCached(
  path: string,
  metaPath: string,
  url: string,
): Promise<SourceFile | undefined> {
  const metaText = await readTextIfExists(metaPath);
  if (metaText === undefined) return undefined;
  let meta: CacheMeta;
  try {
    meta = JSON.parse(metaText);
  } catch {
    return undefined; // A damaged record counts as a miss: download again.
  }
  let sha256: string;
  try {
    sha256 = await sha256File(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  if (meta.url !== url || sha256 !== meta.sha256) return undefined;
  return { location: url, sha256, origin: "cache", path };
}

async function download(
  url: string,
  path: string,
  metaPath: string,
  fetchFn: typeof fetch,
  timeoutMs: number,
  check: (sha256: string) => void,
): Promise<SourceFile> {
  let response: Response;
  try {
    response = await fetchFn(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (cause) {
    throw new Error(`Cannot download ${url}: expected a response, got ${String(cause)}`, { cause });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new DownloadError(
      `Cannot download ${url}: expected HTTP status 2xx, got ${response.status} ${response.statusText}`,
      response.status,
    );
  }
  // Stream into a temporary file beside the entry, hashing as it goes; it becomes the entry only
  // when complete and verified.
  await ensureParentDir(path);
  const tmp = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  const hash = createHash("sha256");
  let size = 0;
  let sha256: string;
  try {
    const out = await Deno.open(tmp, { write: true, createNew: true });
    try {
      for await (const chunk of response.body ?? new ReadableStream<Uint8Array>()) {
        hash.update(chunk);
        size += chunk.length;
        for (let at = 0; at < chunk.length;) at += await out.write(chunk.subarray(at));
      }
      await out.sync();
    } catch (cause) {
      throw new Error(`Cannot download ${url}: the body broke off after ${size} bytes (${cause})`, {
        cause,
      });
    } finally {
      out.close();
    }
    sha256 = hash.digest("hex");
    check(sha256); // Content that fails its pin never enters the cache.
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw error;
  }
  // Bytes first, record last: a crash in between leaves no record, so the next read re-downloads.
  await Deno.rename(tmp, path);
  const meta: CacheMeta = { url, sha256, bytes: size, fetchedAt: new Date().toISOString() };
  await writeFileAtomic(metaPath, JSON.stringify(meta, null, 2) + "\n");
  return { location: url, sha256, origin: "download", path };
}
