/**
 * Content-addressed on-disk critique cache: one JSON file per critique, keyed by the
 * sha256 of model, template hash, problem, response, reference, step separator, sampling parameters
 * and critique index. Entries are written atomically and carry their own key hash and text hash, so a truncated or
 * edited file is detected and refetched instead of being trusted.
 * @module
 */
import { hashJson, readTextIfExists, sha256Hex, writeFileAtomic } from "../util/mod.ts";

/** Everything a critique depends on. Never holds credentials or endpoint URLs. */
export interface CritiqueCacheKey {
  /** Model name. */
  model: string;
  /** sha256 of the prompt template file. */
  templateSha256: string;
  /** Problem text. */
  problem: string;
  /** Response text. */
  response: string;
  /** Reference answer shown to the critic, or null. */
  reference: string | null;
  /** Step separator (it decides the steps the prompt shows). */
  separator: string;
  /** Sampling parameters. */
  sampling: { temperature: number; maxTokens: number; seed: number | null };
  /** Which of the k critiques (0-based). */
  critiqueIndex: number;
}

/** A stored critique. */
export interface CritiqueCacheEntry {
  /** sha256 of the canonical key; must match the file name and the recomputed key. */
  keyHash: string;
  /** sha256 of `text`. */
  textSha256: string;
  /** The critique text. */
  text: string;
  /** The key itself, for humans reading the cache. */
  key: CritiqueCacheKey;
}

/** Result of a cache lookup. */
export type CacheLookup =
  | { status: "hit"; text: string }
  | { status: "miss" }
  | { status: "corrupt"; reason: string };

/**
 * The critique cache in one folder (`<dir>/<2 hex>/<64 hex>.json`).
 *
 * @example
 * ```ts
 * const cache = new CritiqueCache("runs/critic_cache");
 * const key = { model: "m", templateSha256: "t", problem: "p", response: "r", reference: null,
 *   separator: "\n\n", sampling: { temperature: 0.7, maxTokens: 512, seed: 0 }, critiqueIndex: 0 };
 * await cache.put(key, "Wrong steps: []");
 * await cache.get(key); // { status: "hit", text: "Wrong steps: []" }
 * ```
 */
export class CritiqueCache {
  /** The cache folder. */
  readonly dir: string;
  #made = new Set<string>();

  /**
   * Opens a cache folder.
   *
   * @param dir The cache folder (created on first write).
   * @example
   * ```ts
   * const cache = new CritiqueCache("runs/critic_cache");
   * ```
   */
  constructor(dir: string) {
    this.dir = dir;
  }

  /**
   * Looks a critique up.
   *
   * @param key The critique's key.
   * @param keyHash `hashJson(key)` when the caller has it already. @default computed
   * @returns A hit, a miss, or a corrupt entry with the reason.
   */
  async get(key: CritiqueCacheKey, keyHash?: string): Promise<CacheLookup> {
    keyHash ??= await hashJson(key);
    const text = await readTextIfExists(this.#path(keyHash));
    if (text === undefined) return { status: "miss" };
    let entry: Partial<CritiqueCacheEntry>;
    try {
      entry = JSON.parse(text);
    } catch {
      return { status: "corrupt", reason: "unparseable JSON" };
    }
    if (typeof entry !== "object" || entry === null || typeof entry.text !== "string") {
      return { status: "corrupt", reason: "no critique text" };
    }
    if (entry.keyHash !== keyHash) return { status: "corrupt", reason: "key hash mismatch" };
    if (entry.textSha256 !== await sha256Hex(entry.text)) {
      return { status: "corrupt", reason: "text hash mismatch" };
    }
    return { status: "hit", text: entry.text };
  }

  /**
   * Stores a critique atomically.
   *
   * @param key The critique's key.
   * @param text The critique text.
   * @param keyHash `hashJson(key)` when the caller has it already. @default computed
   */
  async put(key: CritiqueCacheKey, text: string, keyHash?: string): Promise<void> {
    keyHash ??= await hashJson(key);
    const entry: CritiqueCacheEntry = { keyHash, textSha256: await sha256Hex(text), text, key };
    // Create each two-hex sub-folder once per cache object rather than once per write.
    const sub = `${this.dir}/${keyHash.slice(0, 2)}`;
    if (!this.#made.has(sub)) {
      await Deno.mkdir(sub, { recursive: true });
      this.#made.add(sub);
    }
    await writeFileAtomic(this.#path(keyHash), JSON.stringify(entry, null, 1), { mkdirs: false });
  }

  #path(keyHash: string): string {
    return `${this.dir}/${keyHash.slice(0, 2)}/${keyHash}.json`;
  }
}
