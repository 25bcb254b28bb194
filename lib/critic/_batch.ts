/**
 * Bookkeeping of one `critiqueBatch` call: the per-response plan (cache keys, texts, failures), the
 * batch state (metrics, abort, stop reason), and small helpers of the client's request loop.
 * @module
 */
import type { Step } from "../steps/mod.ts";
import type { CritiqueCacheKey } from "./cache.ts";
import type { CriticBatchMetrics } from "./config.ts";
import type { CriticError, CriticFailureKind } from "./errors.ts";

/** One response's critiques: what to ask, what came back, what failed. */
export interface Plan {
  steps: Step[];
  messages: { system: string; user: string };
  keys: CritiqueCacheKey[];
  keyHashes?: string[];
  texts: (string | undefined)[];
  cached: boolean[];
  failures: ({ kind: CriticFailureKind; reason: string } | undefined)[];
}

/** State of one `critiqueBatch` call. */
export interface Batch {
  metrics: CriticBatchMetrics;
  /** Aborts in-flight requests and backoff waits once the batch must stop. */
  abort: AbortController;
  /** Set when every further request would fail the same way (a refused connection). */
  stopped?: CriticError;
}

/** Waits `ms`, or less when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Why every critique of a response failed: counts by kind and the first failure's reason. */
export function whyFailed(plan: Plan): string {
  const counts = new Map<string, number>();
  plan.texts.forEach((text, i) => {
    const kind = text === undefined ? plan.failures[i]?.kind ?? "other" : "parse";
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  });
  const first = plan.failures.find((f) => f !== undefined);
  const kinds = [...counts].map(([kind, n]) => `${kind} ${n}`).join(", ");
  return first ? `${kinds} (${first.reason})` : kinds;
}

/** Splits sorted indices into runs of consecutive ones (`[0, 1, 3]` → `[[0, 1], [3]]`). */
export function contiguousRuns(indices: number[]): number[][] {
  const runs: number[][] = [];
  for (const i of indices) {
    const last = runs.at(-1);
    if (last && last.at(-1) === i - 1) last.push(i);
    else runs.push([i]);
  }
  return runs;
}
