/**
 * Concurrency and requests-per-minute limiting for critic requests: at most `concurrency` requests in
 * flight, and request starts spaced at least 60000/rpm ms apart when a rate is set.
 * @module
 */

/** A limiter: `run(fn)` waits for a slot, then runs `fn`. */
export interface Limiter {
  run<T>(fn: () => Promise<T>): Promise<T>;
}

/** Creates a limiter for one client. */
export function createLimiter(concurrency: number, requestsPerMinute?: number): Limiter {
  let active = 0;
  const waiting: (() => void)[] = [];
  const spacing = requestsPerMinute ? 60_000 / requestsPerMinute : 0;
  let nextStart = 0;
  const acquire = async () => {
    // A released slot is handed straight to the next waiter, so `active` never overshoots.
    if (active >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    if (spacing > 0) {
      const now = performance.now();
      const start = Math.max(now, nextStart);
      nextStart = start + spacing;
      if (start > now) await new Promise((resolve) => setTimeout(resolve, start - now));
    }
  };
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
  return {
    async run(fn) {
      await acquire();
      try {
        return await fn();
      } finally {
        release();
      }
    },
  };
}
