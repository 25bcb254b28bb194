/**
 * The credit service's versioned wire schema (documented in docs/credit.md): a batch of
 * (prompt, response text, response token offsets, gold answer) in, per-token CAPO rewards and the
 * evidence behind them out. `parseCreditRequest` validates untrusted JSON with path-named errors.
 * @module
 */

/** Version of the request/response schema; a request with another version is rejected. */
export const CREDIT_SCHEMA_VERSION = 1;

/** One response to score. */
export interface CreditItem {
  /** Caller's id, echoed back. @default the item's index as a string */
  id?: string;
  /** The problem as the policy saw it (shown to the critic). */
  prompt: string;
  /** The response text the tokens decode to. */
  response: string;
  /** Per response token, its character span `[start, end)` in `response`, `[numTokens]`. */
  offsets: [number, number][];
  /** The gold final answer the verifier compares against. */
  gold: string;
}

/** A request: `{ "version": 1, "items": [...] }`. */
export interface CreditRequest {
  /** Must equal {@linkcode CREDIT_SCHEMA_VERSION}. */
  version: number;
  /** Responses to score, in order. */
  items: CreditItem[];
}

/** One step of a scored response with its character and token spans. */
export interface CreditStep {
  /** 0-based step index. */
  index: number;
  /** Character span `[start, end)` in the response. */
  chars: [number, number];
  /** Token span `[start, end)`; empty when the step owns no token. */
  tokens: [number, number];
  /** Voted wrongness in [0, 1]. */
  wrongness: number;
}

/** The score of one response. */
export interface CreditResult {
  /** The item's id. */
  id: string;
  /** Per token reward `R_t = W_whole · r_v − W_process · v_t`, `[numTokens]`. */
  rewards: number[];
  /** Verifier outcome `r_v` (1 when the answer equals the gold). */
  outcome: number;
  /** The verifier's verdict (`equal` / `not_equal` / `unverifiable`), reason and extracted answer. */
  verifier: { result: string; reason: string; extracted: string | null };
  /** The steps with spans and voted wrongness. */
  steps: CreditStep[];
  /** Each critique's parsed wrong steps (`null` when unparseable or failed) and why. */
  critiques: { wrongSteps: number[] | null; reason: string; cached: boolean }[];
  /** At least one critique parsed; when false the rewards are outcome-only. */
  hasSignal: boolean;
}

/** Settings the rewards were computed with (echoed in every response). */
export interface CreditSettings {
  /** `W_whole`. */
  wWhole: number;
  /** `W_process`. */
  wProcess: number;
  /** Critiques per response. */
  k: number;
  /** Vote rule name. */
  voteRule: string;
  /** The critic sees the gold answer. */
  includeReference: boolean;
}

/** Batch counters. */
export interface CreditMetrics {
  /** Items scored. */
  items: number;
  /** Items whose answer the verifier judged equal. */
  correct: number;
  /** Critiques received (k per item with steps). */
  critiques: number;
  /** Critiques that failed or did not parse. */
  critiqueFailures: number;
  /** Items with no valid critique (outcome reward only). */
  fallbacks: number;
  /** Items with at least one step voted wrong. */
  flaggedItems: number;
  /** Wall time, ms. */
  wallMs: number;
}

/** A response: `{ "version": 1, "settings", "items", "metrics" }`. */
export interface CreditResponse {
  /** {@linkcode CREDIT_SCHEMA_VERSION}. */
  version: number;
  /** What the rewards were computed with. */
  settings: CreditSettings;
  /** One result per request item, in order. */
  items: CreditResult[];
  /** Batch counters. */
  metrics: CreditMetrics;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const show = (v: unknown) => {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
};

/** Options for {@linkcode parseCreditRequest}. */
export interface ParseCreditRequestOptions {
  /** Most items per request. @default 4096 */
  maxItems?: number;
}

/**
 * Validates an untrusted request body.
 *
 * @param value The parsed JSON.
 * @param options See {@linkcode ParseCreditRequestOptions}.
 * @returns The request, typed.
 * @throws {TypeError} Naming the first bad field, e.g. `items[2].offsets[5]: expected [start, end]
 * with 0 <= start <= end, got [4,1]`.
 * @example
 * ```ts
 * parseCreditRequest({ version: 1, items: [{ prompt: "1+1", response: "2", offsets: [[0, 1]], gold: "2" }] });
 * ```
 */
export function parseCreditRequest(
  value: unknown,
  options: ParseCreditRequestOptions = {},
): CreditRequest {
  const { maxItems = 4096 } = options;
  const fail = (path: string, expected: string, got: unknown) =>
    new TypeError(
      `Cannot read the credit request: ${path}: expected ${expected}, got ${show(got)}`,
    );
  if (!isObject(value)) throw fail("body", "a JSON object", value);
  if (value.version !== CREDIT_SCHEMA_VERSION) {
    throw fail("version", `${CREDIT_SCHEMA_VERSION}`, value.version);
  }
  const items = value.items;
  if (!Array.isArray(items)) throw fail("items", "an array", items);
  if (items.length > maxItems) throw fail("items", `at most ${maxItems} items`, items.length);
  return {
    version: CREDIT_SCHEMA_VERSION,
    items: items.map((item, i): CreditItem => {
      const at = `items[${i}]`;
      if (!isObject(item)) throw fail(at, "an object", item);
      for (const key of ["prompt", "response", "gold"] as const) {
        if (typeof item[key] !== "string") throw fail(`${at}.${key}`, "a string", item[key]);
      }
      if (item.id !== undefined && typeof item.id !== "string") {
        throw fail(`${at}.id`, "a string", item.id);
      }
      if (!Array.isArray(item.offsets)) throw fail(`${at}.offsets`, "an array", item.offsets);
      const offsets = item.offsets.map((pair, t): [number, number] => {
        const ok = Array.isArray(pair) && pair.length === 2 && Number.isInteger(pair[0]) &&
          Number.isInteger(pair[1]) && pair[0] >= 0 && pair[0] <= pair[1];
        if (!ok) throw fail(`${at}.offsets[${t}]`, "[start, end] with 0 <= start <= end", pair);
        return [pair[0], pair[1]];
      });
      return {
        id: item.id as string | undefined,
        prompt: item.prompt as string,
        response: item.response as string,
        offsets,
        gold: item.gold as string,
      };
    }),
  };
}
