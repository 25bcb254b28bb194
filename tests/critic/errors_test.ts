import assert from "node:assert/strict";
import {
  CriticError,
  CriticRateLimitError,
  CriticServerError,
  CriticTimeoutError,
  isRetryable,
  retryDelayMs,
} from "../../lib/critic/mod.ts";
import { createRng } from "../../lib/util/mod.ts";

Deno.test("isRetryable retries timeouts, 429, 5xx and dropped bodies but not other 4xx", () => {
  assert.equal(isRetryable(new CriticTimeoutError("t")), true);
  assert.equal(isRetryable(new CriticRateLimitError("r", { status: 429 })), true);
  assert.equal(isRetryable(new CriticServerError("s", { status: 503 })), true);
  assert.equal(isRetryable(new CriticServerError("dropped")), true);
  assert.equal(isRetryable(new CriticError("x", { status: 408 })), true);
  assert.equal(isRetryable(new CriticError("x", { status: 401 })), false);
  assert.equal(isRetryable(new CriticError("x", { status: 400 })), false);
  assert.equal(isRetryable(new TypeError("bug")), false);
});

Deno.test("retryDelayMs honours retry-after-ms, retry-after seconds and HTTP dates", () => {
  assert.equal(retryDelayMs(0, new Headers({ "retry-after-ms": "250" })), 250);
  assert.equal(retryDelayMs(5, new Headers({ "retry-after": "2" })), 2000);
  const now = Date.parse("2026-01-01T00:00:00Z");
  const date = new Date(now + 3000).toUTCString();
  assert.equal(retryDelayMs(0, new Headers({ "retry-after": date }), { now }), 3000);
  // Too long a retry-after is cut to the largest backoff, so the call's bound holds.
  assert.equal(
    retryDelayMs(0, new Headers({ "retry-after": "3600" }), { baseMs: 100, maxMs: 1000 }),
    1000,
  );
});

Deno.test("retryDelayMs backs off exponentially up to the cap with jitter in (0.75, 1]", () => {
  assert.deepEqual(
    [0, 1, 2, 3, 10].map((a) => retryDelayMs(a, undefined, { baseMs: 100, maxMs: 500 })),
    [
      100,
      200,
      400,
      500,
      500,
    ],
  );
  const rng = createRng(3);
  const draws = Array.from({ length: 200 }, () => retryDelayMs(2, undefined, { baseMs: 100, rng }));
  assert.ok(draws.every((d) => d > 300 && d <= 400));
  assert.ok(new Set(draws).size > 100, "jitter varies");
  const again = createRng(3);
  assert.equal(
    retryDelayMs(2, undefined, { baseMs: 100, rng: again }),
    draws[0],
    "seeded jitter replays",
  );
});
