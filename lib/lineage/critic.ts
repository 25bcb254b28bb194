/**
 * Builds the critic section of a lineage record from a critic config (lib/critic `CriticConfig` or
 * any object with the same fields): endpoint kind, model, template hash, k, vote rule, temperature.
 * Only named fields are copied, so an API key in the config can never reach the record.
 * @module
 */
import { sha256Hex } from "../util/mod.ts";
import type { CriticRecord } from "./schema.ts";
import { scrubUrl } from "./secrets.ts";

/** The critic fields lineage records (a subset of lib/critic's `CriticConfig`). */
export interface CriticSettings {
  baseUrl?: string;
  model: string;
  k: number;
  voteRule: string;
  temperature: number;
  maxTokens?: number;
  template?: string;
  includeReference?: boolean;
  /** Name of the environment variable holding the key (the name is recorded, never the value). */
  apiKeyEnv?: string;
}

/** Options for {@linkcode criticRecord}. */
export interface CriticRecordOptions {
  /** "reference" for the built-in critic server, else the kind of endpoint. @default "openai-compatible" */
  endpointKind?: string;
  /** Template text used when `settings.template` is unset (the critic's default template). @default undefined */
  defaultTemplate?: string;
  /** sha256 of the template when already known (e.g. lib/critic `loadTemplate().sha256`). @default undefined */
  templateSha256?: string;
  /** Further settings to record (e.g. reference-critic noise). @default {} */
  extra?: Record<string, unknown>;
}

/**
 * The critic section of a lineage record.
 *
 * @param settings The critic config.
 * @param options See {@linkcode CriticRecordOptions}.
 * @returns A record with `template_sha256` computed from the template text.
 * @example
 * ```ts
 * const critic = await criticRecord(
 *   { baseUrl: "http://127.0.0.1:8000/v1", model: "reference", k: 4, voteRule: "majority", temperature: 0.7 },
 *   { endpointKind: "reference" },
 * );
 * ```
 */
export async function criticRecord(
  settings: CriticSettings,
  options: CriticRecordOptions = {},
): Promise<CriticRecord> {
  const { endpointKind = "openai-compatible", defaultTemplate, templateSha256, extra = {} } =
    options;
  const template = settings.template ?? defaultTemplate;
  const templateHash = templateSha256 ??
    (template !== undefined ? await sha256Hex(template) : undefined);
  return {
    endpoint_kind: endpointKind,
    ...(settings.baseUrl ? { base_url: scrubUrl(settings.baseUrl) } : {}),
    model: settings.model,
    ...(templateHash !== undefined ? { template_sha256: templateHash } : {}),
    k: settings.k,
    vote_rule: settings.voteRule,
    temperature: settings.temperature,
    ...(settings.maxTokens !== undefined ? { max_tokens: settings.maxTokens } : {}),
    ...(settings.includeReference !== undefined
      ? { include_reference: settings.includeReference }
      : {}),
    ...(settings.apiKeyEnv ? { api_key_env: settings.apiKeyEnv } : {}),
    ...extra,
  };
}
