/**
 * Critic request errors, their failure kinds and the retry policy, in the manner of openai-node:
 * `isRetryable(error)` decides, `retryDelayMs(attempt, headers)` waits (honouring `retry-after-ms` /
 * `retry-after` up to a cap, else exponential backoff with seeded jitter), and the client runs a small
 * bounded loop. `failureKind(error)` names the counter a failed attempt goes to.
 * @module
 */
import type { Rng } from "../util/mod.ts";

/** Options for the critic error classes. */
export interface CriticErrorOptions {
  /** The underlying error. */
  cause?: unknown;
  /** HTTP status, when there was a response. */
  status?: number;
  /** Response headers, when there was a response (used for `retry-after`). */
  headers?: Headers;
}

/** A failed critic request that is not retried (e.g. 400, 401, 404). */
export class CriticError extends Error {
  /** HTTP status, when there was a response. */
  readonly status?: number;
  /** Response headers, when there was a response. */
  readonly headers?: Headers;
  /**
   * Creates the error.
   *
   * @param message What failed.
   * @param options Cause, status and headers.
   * @example
   * ```ts
   * throw new CriticError("Cannot critique: expected 200, got 401", { status: 401 });
   * ```
   */
  constructor(message: string, options: CriticErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "CriticError";
    this.status = options.status;
    this.headers = options.headers;
  }
}

/** A request that timed out (retryable). */
export class CriticTimeoutError extends CriticError {
  /** See {@linkcode CriticError}. @example `new CriticTimeoutError("timed out after 100 ms")` */
  constructor(message: string, options: CriticErrorOptions = {}) {
    super(message, options);
    this.name = "CriticTimeoutError";
  }
}

/** A 429 answer (retryable, honouring `retry-after`). */
export class CriticRateLimitError extends CriticError {
  /** See {@linkcode CriticError}. @example `new CriticRateLimitError("429", { status: 429 })` */
  constructor(message: string, options: CriticErrorOptions = {}) {
    super(message, options);
    this.name = "CriticRateLimitError";
  }
}

/** A 5xx answer (retryable). */
export class CriticServerError extends CriticError {
  /** See {@linkcode CriticError}. @example `new CriticServerError("500", { status: 500 })` */
  constructor(message: string, options: CriticErrorOptions = {}) {
    super(message, options);
    this.name = "CriticServerError";
  }
}

/** Options for {@linkcode CriticConnectionError}. */
export interface CriticConnectionErrorOptions extends CriticErrorOptions {
  /** Nothing listens at the address (retrying cannot help). @default false */
  refused?: boolean;
}

/**
 * No answer could be read: the connection was refused (not retried), reset or torn mid-body
 * (retryable).
 */
export class CriticConnectionError extends CriticError {
  /** Nothing listens at the address. */
  readonly refused: boolean;
  /**
   * See {@linkcode CriticError}.
   * @example
   * ```ts
   * new CriticConnectionError("Cannot connect to http://127.0.0.1:9/v1: connection refused", { refused: true });
   * ```
   */
  constructor(message: string, options: CriticConnectionErrorOptions = {}) {
    super(message, options);
    this.name = "CriticConnectionError";
    this.refused = options.refused ?? false;
  }
}

/**
 * A 200 answer that holds no usable critique: a non-JSON or HTML body, an error object, no
 * `choices`, an empty `choices`, a choice without `message` or with `content: null` (retryable, as
 * a sampled answer may come out right next time; bounded by the attempts).
 */
export class CriticMalformedError extends CriticError {
  /** See {@linkcode CriticError}. @example `new CriticMalformedError("expected choices, got []")` */
  constructor(message: string, options: CriticErrorOptions = {}) {
    super(message, options);
    this.name = "CriticMalformedError";
  }
}

/** The request budget of one `critiqueBatch` call ran out before this attempt (not retried). */
export class CriticBudgetError extends CriticError {
  /** See {@linkcode CriticError}. @example `new CriticBudgetError("budget of 8 requests spent")` */
  constructor(message: string, options: CriticErrorOptions = {}) {
    super(message, options);
    this.name = "CriticBudgetError";
  }
}

/**
 * More of a batch's critiques failed or did not parse than `critic.maxFailureRate` allows: the run
 * would no longer get its credit from the critic, so it stops.
 */
export class CriticFailureRateError extends CriticError {
  /** See {@linkcode CriticError}. @example `new CriticFailureRateError("12 of 16 critiques failed")` */
  constructor(message: string, options: CriticErrorOptions = {}) {
    super(message, options);
    this.name = "CriticFailureRateError";
  }
}

/** The counters failed critic attempts go to (`parse`: a critique arrived but had no verdict). */
export type CriticFailureKind =
  | "timeout"
  | "connection"
  | "http_4xx"
  | "http_429"
  | "http_5xx"
  | "malformed"
  | "parse"
  | "budget"
  | "other";

/** Every {@linkcode CriticFailureKind}, in report order. */
export const CRITIC_FAILURE_KINDS: readonly CriticFailureKind[] = Object.freeze([
  "timeout",
  "connection",
  "http_4xx",
  "http_429",
  "http_5xx",
  "malformed",
  "parse",
  "budget",
  "other",
]);

/**
 * The failure kind of a failed request.
 *
 * @param error The error (a critic error, or anything else, which is `"other"`).
 * @returns The counter it belongs to.
 * @example
 * ```ts
 * failureKind(new CriticRateLimitError("slow down", { status: 429 })); // "http_429"
 * ```
 */
export function failureKind(error: unknown): CriticFailureKind {
  if (error instanceof CriticTimeoutError) return "timeout";
  if (error instanceof CriticConnectionError) return "connection";
  if (error instanceof CriticMalformedError) return "malformed";
  if (error instanceof CriticBudgetError) return "budget";
  if (error instanceof CriticError && error.status !== undefined) {
    if (error.status === 429) return "http_429";
    if (error.status >= 500) return "http_5xx";
    if (error.status >= 400) return "http_4xx";
  }
  return "other";
}

/**
 * Whether a failed request is worth retrying: timeouts, 408, 409, 429, 5xx, reset or torn
 * connections and malformed 200 answers are; a refused connection, other 4xx answers, a spent
 * budget and programming errors are not.
 *
 * @param error The error.
 * @returns `true` when retrying may succeed.
 * @example
 * ```ts
 * isRetryable(new CriticRateLimitError("slow down", { status: 429 })); // true
 * isRetryable(new CriticError("bad key", { status: 401 }));             // false
 * ```
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof CriticConnectionError) return !error.refused;
  if (error instanceof CriticBudgetError) return false;
  if (error instanceof CriticMalformedError) return true;
  if (error instanceof CriticTimeoutError) return true;
  if (error instanceof CriticRateLimitError) return true;
  if (error instanceof CriticServerError) return true;
  if (error instanceof CriticError) {
    const s = error.status;
    return s === 408 || s === 409 || s === 429 || (s !== undefined && s >= 500);
  }
  return false;
}

/** Options for {@linkcode retryDelayMs}. */
export interface RetryDelayOptions {
  /** First backoff delay, ms. @default 500 */
  baseMs?: number;
  /** Largest backoff delay, ms. @default 8000 */
  maxMs?: number;
  /**
   * A `retry-after` longer than this is cut to it, ms, so a call ends within its bound.
   * @default maxMs
   */
  maxRetryAfterMs?: number;
  /** Jitter source; without one the jitter factor is 1 (no jitter). @default undefined */
  rng?: Rng;
  /** Current time, for `retry-after` given as an HTTP date, ms since the epoch. @default Date.now() */
  now?: number;
}

/**
 * How long to wait before retry number `attempt + 1`: the server's `retry-after-ms` or
 * `retry-after` (seconds or HTTP date) when present, cut to `maxRetryAfterMs`, else
 * `min(baseMs · 2^attempt, maxMs)` scaled by a jitter factor in (0.75, 1].
 *
 * @param attempt Retries already made (0 for the first retry).
 * @param headers The failed response's headers, if any.
 * @param options See {@linkcode RetryDelayOptions}.
 * @returns The delay in ms.
 * @example
 * ```ts
 * retryDelayMs(0, new Headers({ "retry-after": "2" }));  // 2000
 * retryDelayMs(3, undefined, { baseMs: 100 });            // 800
 * ```
 */
export function retryDelayMs(
  attempt: number,
  headers?: Headers,
  options: RetryDelayOptions = {},
): number {
  const { baseMs = 500, maxMs = 8000, rng, now = Date.now() } = options;
  const { maxRetryAfterMs = maxMs } = options;
  const fromServer = retryAfterMs(headers, now);
  if (fromServer !== undefined && fromServer >= 0) return Math.min(fromServer, maxRetryAfterMs);
  const backoff = Math.min(baseMs * 2 ** Math.max(0, attempt), maxMs);
  const jitter = rng ? 1 - 0.25 * rng.next() : 1;
  return backoff * jitter;
}

function retryAfterMs(headers: Headers | undefined, now: number): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get("retry-after-ms");
  if (ms !== null && ms.trim() !== "" && Number.isFinite(Number(ms))) return Number(ms);
  const after = headers.get("retry-after");
  if (after === null || after.trim() === "") return undefined;
  if (Number.isFinite(Number(after))) return Number(after) * 1000;
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : date - now;
}
