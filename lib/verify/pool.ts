/**
 * `VerifierPool`: `verifyAnswer` in a pool of Web Workers with a per-case time budget. A worker
 * that overruns is terminated and replaced, and its case answers `unverifiable` / `timeout`
 * (bounded cost without signals). Never throws, never hangs.
 * @module
 */
import type { VerifyOptions, VerifyResult } from "./types.ts";

/** Options for {@linkcode VerifierPool}. */
export interface VerifierPoolOptions {
  /**
   * Number of workers.
   * @default 2
   */
  size?: number;
  /**
   * Time budget per case in milliseconds, measured from when a worker takes the case.
   * @default 2000
   */
  timeoutMs?: number;
  /**
   * Worker module; tests inject a deliberately slow one. Must answer like `_worker.ts`.
   * @default new URL("./_worker.ts", import.meta.url)
   */
  workerUrl?: URL;
}

/** One comparison for {@linkcode VerifierPool.verifyMany}. */
export interface VerifyCase {
  /** The model output. */
  pred: string;
  /** The gold answer. */
  gold: string;
}

interface Slot {
  worker: Worker;
  ready: Promise<boolean>;
}

const STARTUP_MS = 60_000;

function unverifiable(pred: string, gold: string, reason: string): VerifyResult {
  return {
    result: "unverifiable",
    reason,
    pred: { raw: pred, extracted: null, normalized: null },
    gold: { raw: gold, extracted: null, normalized: null },
  };
}

/**
 * A pool of verifier workers.
 *
 * @example
 * ```ts
 * import { VerifierPool } from "./pool.ts";
 * const pool = new VerifierPool({ size: 2, timeoutMs: 1000 });
 * const [r] = await pool.verifyMany([{ pred: "\\boxed{12}", gold: "#### 12" }]);
 * console.log(r.result); // "equal"
 * pool.close();
 * ```
 */
export class VerifierPool {
  /** Number of workers. */
  readonly size: number;
  /** Time budget per case, in milliseconds. */
  readonly timeoutMs: number;
  #url: URL | undefined;
  #free: Slot[] = [];
  #all = new Set<Slot>();
  #inFlight = new Set<() => void>();
  #waiting: ((slot: Slot) => void)[] = [];
  #count = 0;
  #nextId = 0;
  #closed = false;
  #restarts = 0;

  /**
   * Creates the pool; workers start lazily on first use.
   *
   * @param options See {@linkcode VerifierPoolOptions}.
   * @throws {RangeError} When size or timeoutMs is not positive.
   */
  constructor(options: VerifierPoolOptions = {}) {
    const {
      size = 2,
      timeoutMs = 2000,
      workerUrl,
    } = options;
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`Cannot create a verifier pool: expected size >= 1, got ${size}`);
    }
    if (!(timeoutMs > 0)) {
      throw new RangeError(
        `Cannot create a verifier pool: expected timeoutMs > 0, got ${timeoutMs}`,
      );
    }
    this.size = size;
    this.timeoutMs = timeoutMs;
    this.#url = workerUrl;
  }

  /** Workers replaced after a timeout or crash since the pool was created. */
  get restarts(): number {
    return this.#restarts;
  }

  #spawn(): Slot {
    // The literal `new URL(...)` form lets `deno compile` and bundlers find the worker module.
    const worker = this.#url
      ? new Worker(this.#url, { type: "module" })
      : new Worker(new URL("./_worker.ts", import.meta.url), { type: "module" });
    const ready = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), STARTUP_MS);
      worker.onmessage = (e: MessageEvent) => {
        if (e.data?.ready) {
          clearTimeout(timer);
          resolve(true);
        }
      };
      worker.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        clearTimeout(timer);
        resolve(false);
      };
    });
    const slot = { worker, ready };
    this.#all.add(slot);
    return slot;
  }

  async #acquire(): Promise<Slot> {
    const free = this.#free.pop();
    if (free) return free;
    if (this.#count < this.size) {
      this.#count++;
      return this.#spawn();
    }
    return await new Promise<Slot>((resolve) => this.#waiting.push(resolve));
  }

  #release(slot: Slot) {
    if (this.#closed) {
      slot.worker.terminate();
      return;
    }
    const waiter = this.#waiting.shift();
    if (waiter) waiter(slot);
    else this.#free.push(slot);
  }

  /**
   * Verifies cases in parallel; results come back in input order.
   *
   * @param cases `{pred, gold}` pairs.
   * @param options Per-call options, as for `verifyAnswer`.
   * @returns One result per case; overrunning cases are `unverifiable` / `timeout`.
   */
  async verifyMany(cases: VerifyCase[], options: VerifyOptions = {}): Promise<VerifyResult[]> {
    const list = Array.isArray(cases) ? cases : [];
    return await Promise.all(list.map((c) => {
      const pred = typeof c?.pred === "string" ? c.pred : String(c?.pred ?? "");
      const gold = typeof c?.gold === "string" ? c.gold : String(c?.gold ?? "");
      return this.#verifyOne(pred, gold, options);
    }));
  }

  async #verifyOne(pred: string, gold: string, options: VerifyOptions): Promise<VerifyResult> {
    if (this.#closed) return unverifiable(pred, gold, "pool_closed");
    const slot = await this.#acquire();
    if (this.#closed) return unverifiable(pred, gold, "pool_closed");
    if (!(await slot.ready)) {
      this.#replace(slot);
      return unverifiable(pred, gold, "worker_error");
    }
    const id = this.#nextId++;
    return await new Promise<VerifyResult>((resolve) => {
      let settled = false;
      const finish = (r: VerifyResult, broken: boolean) => {
        if (settled) return;
        settled = true;
        this.#inFlight.delete(abort);
        clearTimeout(timer);
        slot.worker.onmessage = null;
        slot.worker.onerror = null;
        if (broken) this.#replace(slot);
        else this.#release(slot);
        resolve(r);
      };
      const abort = () => finish(unverifiable(pred, gold, "pool_closed"), true);
      this.#inFlight.add(abort);
      const timer = setTimeout(
        () => finish(unverifiable(pred, gold, "timeout"), true),
        this.timeoutMs,
      );
      slot.worker.onmessage = (e: MessageEvent<{ id: number; result: VerifyResult }>) => {
        if (e.data?.id === id) finish(e.data.result, false);
      };
      slot.worker.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        finish(unverifiable(pred, gold, "worker_error"), true);
      };
      try {
        slot.worker.postMessage({ id, pred, gold, options });
      } catch {
        finish(unverifiable(pred, gold, "bad_input"), false); // options that cannot be cloned
      }
    });
  }

  /** Terminates a stuck or broken worker and puts a fresh one in its place. */
  #replace(slot: Slot) {
    slot.worker.terminate();
    this.#all.delete(slot);
    this.#restarts++;
    if (this.#closed) return;
    this.#release(this.#spawn());
  }

  /** Terminates every worker; later calls answer `unverifiable` / `pool_closed`. */
  close(): void {
    this.#closed = true;
    for (const abort of [...this.#inFlight]) abort();
    for (const s of this.#all) s.worker.terminate();
    this.#all.clear();
    this.#free = [];
    for (const w of this.#waiting) {
      w({ worker: { terminate() {} } as Worker, ready: Promise.resolve(false) });
    }
    this.#waiting = [];
  }
}
