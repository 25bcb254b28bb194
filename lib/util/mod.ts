/**
 * Small utilities every area shares: content hashes and canonical JSON, atomic file writes, and
 * seeded random streams.
 *
 * @example
 * ```ts
 * import { createRng, hashJson, writeFileAtomic } from "./mod.ts";
 * const rng = createRng(7);
 * await writeFileAtomic("/tmp/x.json", JSON.stringify({ draw: rng.next(), id: await hashJson({ a: 1 }) }));
 * ```
 * @module
 */
export * from "./hash.ts";
export * from "./fs.ts";
export * from "./random.ts";
