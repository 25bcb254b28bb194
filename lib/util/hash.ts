/**
 * Content hashing and canonical JSON, shared by every area that records lineage or caches results.
 * Canonical JSON sorts object keys so that equal configs hash equally (RFC 8785 in spirit).
 * @module
 */
import { createHash } from "node:crypto";

/**
 * Hex sha256 of text (UTF-8) or bytes.
 *
 * @param data The text or bytes to hash.
 * @returns The lowercase hex digest, 64 characters.
 * @example
 * ```ts
 * const digest = await sha256Hex("abc");
 * console.log(digest.slice(0, 8)); // "ba7816bf"
 * ```
 */
export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Hex sha256 of a file's content, read in chunks (memory stays flat for files of many GB).
 *
 * @param path The file.
 * @returns The lowercase hex digest, 64 characters.
 * @throws {Deno.errors.NotFound} When the file does not exist.
 * @example
 * ```ts
 * const digest = await sha256File("data/sft/model.safetensors");
 * ```
 */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  const file = await Deno.open(path);
  for await (const chunk of file.readable) hash.update(chunk);
  return hash.digest("hex");
}

/**
 * Serialises a JSON value with object keys sorted at every depth and no whitespace.
 *
 * `undefined` fields are dropped as `JSON.stringify` drops them; non-finite numbers throw,
 * since they have no JSON form and would make two different configs hash alike.
 *
 * @param value Any JSON-compatible value.
 * @returns The canonical JSON text.
 * @throws {TypeError} When the value holds a non-finite number, a bigint or a function.
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }); // '{"a":[2,{"c":4,"d":3}],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  return encode(value, "$");
}

function encode(value: unknown, path: string): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "number":
      if (!Number.isFinite(value)) {
        throw new TypeError(
          `Cannot encode ${path} as JSON: expected a finite number, got ${value}`,
        );
      }
      return JSON.stringify(value);
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) {
        return `[${value.map((v, i) => encode(v ?? null, `${path}[${i}]`)).join(",")}]`;
      }
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${
        entries.map(([k, v]) => `${JSON.stringify(k)}:${encode(v, `${path}.${k}`)}`).join(",")
      }}`;
    }
    default:
      throw new TypeError(`Cannot encode ${path} as JSON: unsupported ${typeof value} value`);
  }
}

/**
 * Hex sha256 of a value's canonical JSON: the identity of a config, a cache key or a record.
 *
 * @param value Any JSON-compatible value.
 * @returns The lowercase hex digest.
 * @example
 * ```ts
 * (await hashJson({ a: 1, b: 2 })) === (await hashJson({ b: 2, a: 1 })); // true
 * ```
 */
export function hashJson(value: unknown): Promise<string> {
  return sha256Hex(canonicalJson(value));
}
