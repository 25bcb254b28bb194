/**
 * Keeps secrets out of lineage records: a field whose name looks like a credential, or a string that
 * looks like an API key, makes the write fail instead of landing on disk (config dumps are
 * where keys leak). Names of environment variables (`api_key_env`) and counts (`max_tokens`) pass.
 * @module
 */

const SECRET_NAME =
  /(api_?key|secret|password|passwd|authorization|credential|bearer|access_?token|auth_?token|private_?key|^token$|^key$|^auth$|cookie)/i;
const SAFE_NAME = /(_?env|_?var|_?name|_?sha256|_?hash)$/i;
const SECRET_VALUE = [
  /^sk-[A-Za-z0-9_-]{16,}/, // OpenAI-style
  /^Bearer\s+\S{8,}/i,
  /^hf_[A-Za-z0-9]{20,}/, // Hugging Face
  /^gh[pousr]_[A-Za-z0-9]{20,}/, // GitHub
  /^xox[abpr]-[A-Za-z0-9-]{10,}/, // Slack
  /^AKIA[0-9A-Z]{16}$/, // AWS access key id
];

/**
 * Whether a field name looks like it holds a credential (`apiKey`, `auth_token`, `secret`, ...).
 *
 * @param name A field name.
 * @returns True for credential-like names; names of env variables (`api_key_env`) are not.
 * @example
 * ```ts
 * isSecretFieldName("apiKey"); // true
 * isSecretFieldName("api_key_env"); // false
 * ```
 */
export function isSecretFieldName(name: string): boolean {
  return SECRET_NAME.test(name) && !SAFE_NAME.test(name);
}

/**
 * Throws when `value` holds a field named like a credential or a string shaped like an API key.
 *
 * @param value Any JSON-compatible value (a config, a summary, a critic record).
 * @param where Label used in the error message.
 * @throws {TypeError} Naming the offending path; the secret itself is never echoed.
 * @example
 * ```ts
 * assertNoSecrets({ critic: { api_key_env: "OPENAI_API_KEY", max_tokens: 256 } }, "config"); // ok
 * // assertNoSecrets({ critic: { api_key: "sk-..." } }, "config") throws
 * ```
 */
export function assertNoSecrets(value: unknown, where = "record"): void {
  walk(value, where);
}

function walk(value: unknown, path: string): void {
  if (typeof value === "string") {
    if (SECRET_VALUE.some((re) => re.test(value.trim()))) {
      throw new TypeError(
        `Cannot record ${path}: expected no credentials, got a string shaped like an API key; pass keys through environment variables`,
      );
    }
    return;
  }
  if (value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => walk(v, `${path}[${i}]`));
    return;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (isSecretFieldName(k) && v !== undefined && v !== null && v !== "") {
      throw new TypeError(
        `Cannot record ${path}.${k}: expected no credentials, got a field named like one; name the environment variable instead (e.g. ${k}_env)`,
      );
    }
    walk(v, `${path}.${k}`);
  }
}

/**
 * Drops credentials and the query string from a URL so it can be recorded.
 *
 * @param url Any URL or path; non-URLs are returned unchanged.
 * @returns The URL without user, password, query or fragment.
 * @example
 * ```ts
 * scrubUrl("https://user:pw@host/v1?key=abc"); // "https://host/v1"
 * ```
 */
export function scrubUrl(url: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return url;
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    u.search = "";
    u.hash = "";
    return u.toString().replace(/\/$/, url.endsWith("/") ? "/" : "");
  } catch {
    return url;
  }
}
