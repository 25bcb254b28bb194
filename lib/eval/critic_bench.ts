/**
 * Critique throughput benchmark: the client against the reference server with added
 * per-request latency. The server answers every request after `latencyMs`, so at concurrency C with
 * k critiques per request (`n`) it allows C · k / latency critiques per second; the client should
 * reach at least 90% of that. The server runs in a worker thread so that it does not share the
 * client's event loop. A second run of the same batch must be served entirely from the cache.
 * @module
 */
import { generateSftTraces, generateSyntheticTask } from "../data/mod.ts";
import { CriticClient } from "../critic/mod.ts";
import type { ReferenceCriticServerOptions } from "../critic/reference/mod.ts";

/** Options for {@linkcode benchCritic}. */
export interface BenchCriticOptions {
  /** Responses in the batch. @default 320 */
  responses?: number;
  /** Added server latency per request, ms. @default 200 */
  latencyMs?: number;
  /** Client concurrency. @default 16 */
  concurrency?: number;
  /** Critiques per response (one request with `n = k`). @default 4 */
  k?: number;
  /** Seed of the synthetic batch. @default 0 */
  seed?: number;
}

/** Benchmark results. */
export interface BenchCriticResult {
  /** Responses in the batch. */
  responses: number;
  /** Critiques asked for (responses × k). */
  critiques: number;
  /** HTTP requests of the first run. */
  requests: number;
  /** Wall time of the first run, ms. */
  wallMs: number;
  /** Critiques per second of the first run. */
  critiquesPerSecond: number;
  /** C · k / latency: what the server allows at this concurrency. */
  allowedCritiquesPerSecond: number;
  /** critiquesPerSecond / allowedCritiquesPerSecond (target ≥ 0.9). */
  ratio: number;
  /** The second run of the same batch (from the cache). */
  rerun: { requests: number; cacheHits: number; wallMs: number; allCached: boolean };
}

/**
 * Measures critiques per second against a reference server with added latency, then reruns the
 * batch to check it is served from the cache.
 *
 * @param options See {@linkcode BenchCriticOptions}.
 * @returns The measurements.
 * @example
 * ```ts
 * const r = await benchCritic({ responses: 160 });
 * console.log(r.critiquesPerSecond.toFixed(0), r.ratio.toFixed(2), r.rerun.allCached);
 * ```
 */
export async function benchCritic(options: BenchCriticOptions = {}): Promise<BenchCriticResult> {
  const { responses = 320, latencyMs = 200, concurrency = 16, k = 4, seed = 0 } = options;
  const { train } = generateSyntheticTask({
    seed,
    trainSize: responses,
    validSize: 0,
    testSize: 0,
  });
  const batch = generateSftTraces(train, { seed }).map((t) => ({
    problem: t.problem.question,
    response: t.response,
  }));
  const cacheDir = await Deno.makeTempDir({ prefix: "capo_critic_bench_" });
  const server = await startServerInWorker({ port: 0, latencyMs });
  try {
    const config = { baseUrl: server.baseUrl, k, concurrency, useN: true, cacheDir };
    const first = await new CriticClient(config).critiqueBatch(batch);
    const second = await new CriticClient(config).critiqueBatch(batch);
    const m = first.metrics;
    const critiquesPerSecond = m.critiques / (m.wallMs / 1000);
    const allowedCritiquesPerSecond = (concurrency * k) / (latencyMs / 1000);
    return {
      responses,
      critiques: m.critiques,
      requests: m.requests,
      wallMs: m.wallMs,
      critiquesPerSecond,
      allowedCritiquesPerSecond,
      ratio: critiquesPerSecond / allowedCritiquesPerSecond,
      rerun: {
        requests: second.metrics.requests,
        cacheHits: second.metrics.cacheHits,
        wallMs: second.metrics.wallMs,
        allCached: second.metrics.requests === 0 && second.metrics.cacheHits === m.critiques,
      },
    };
  } finally {
    await server.close();
    await Deno.remove(cacheDir, { recursive: true });
  }
}

/** Starts the reference server in a worker thread (see lib/critic/reference/server_worker.ts). */
async function startServerInWorker(
  options: ReferenceCriticServerOptions,
): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const worker = new Worker(new URL("../critic/reference/server_worker.ts", import.meta.url), {
    type: "module",
  });
  const next = () =>
    new Promise<unknown>((resolve, reject) => {
      worker.onmessage = (event) => resolve(event.data);
      worker.onerror = (event) =>
        reject(new Error(`Reference server worker failed: ${event.message}`));
    });
  const ready = next();
  worker.postMessage(options);
  const { baseUrl } = await ready as { baseUrl: string };
  return {
    baseUrl,
    close: async () => {
      const closed = next();
      worker.postMessage("close");
      await closed;
      worker.terminate();
    },
  };
}
