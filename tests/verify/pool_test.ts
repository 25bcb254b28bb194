/** Tests of `VerifierPool` (lib/verify/pool.ts): results, order, timeout, restart, close. */
import assert from "node:assert/strict";
import { VerifierPool, verifyAnswer } from "../../lib/verify/mod.ts";

const SLOW = new URL("./_slow_worker.ts", import.meta.url);

Deno.test("VerifierPool returns the same results as verifyAnswer, in input order", async () => {
  const pool = new VerifierPool({ size: 2, timeoutMs: 5000 });
  try {
    const cases = [
      { pred: "\\boxed{12}", gold: "#### 12" },
      { pred: "x = 3", gold: "3" },
      { pred: "(1,0)", gold: "1,000" },
      { pred: "\\frac{1}{2}", gold: "0.5" },
      { pred: "x^2+2x+1", gold: "(x+1)^2" },
      { pred: "2^{2^{2^{49}}}", gold: "3" },
    ];
    const got = await pool.verifyMany(cases);
    assert.deepEqual(got, cases.map((c) => verifyAnswer(c.pred, c.gold)));
    const opts = await pool.verifyMany([{ pred: "1,2", gold: "2,1" }], { unordered: true });
    assert.equal(opts[0].result, "equal");
  } finally {
    pool.close();
  }
});

Deno.test("VerifierPool answers timeout for a stuck case, restarts the worker and keeps working", async () => {
  const pool = new VerifierPool({ size: 2, timeoutMs: 2000, workerUrl: SLOW });
  try {
    // Warm both workers so that the budget measures the case, not module loading.
    await pool.verifyMany([{ pred: "1", gold: "1" }, { pred: "2", gold: "2" }]);
    const t = performance.now();
    const got = await pool.verifyMany([
      { pred: "__hang__", gold: "1" },
      { pred: "5", gold: "5" },
      { pred: "6", gold: "7" },
    ]);
    assert.ok(performance.now() - t < 10_000);
    assert.equal(got[0].result, "unverifiable");
    assert.equal(got[0].reason, "timeout");
    assert.equal(got[1].result, "equal");
    assert.equal(got[2].result, "not_equal");
    assert.equal(pool.restarts, 1);
    const after = await pool.verifyMany([{ pred: "\\boxed{9}", gold: "9" }, {
      pred: "8",
      gold: "9",
    }]);
    assert.deepEqual(after.map((r) => r.result), ["equal", "not_equal"]);
  } finally {
    pool.close();
  }
});

Deno.test("VerifierPool turns a crashed worker into unverifiable/worker_error", async () => {
  const pool = new VerifierPool({ size: 1, timeoutMs: 5000, workerUrl: SLOW });
  try {
    const got = await pool.verifyMany([{ pred: "__crash__", gold: "1" }, { pred: "3", gold: "3" }]);
    assert.equal(got[0].reason, "worker_error");
    assert.equal(got[1].result, "equal");
  } finally {
    pool.close();
  }
});

Deno.test("VerifierPool serves concurrent calls and refuses work after close", async () => {
  const pool = new VerifierPool({ size: 2, timeoutMs: 5000 });
  const [a, b] = await Promise.all([
    pool.verifyMany([{ pred: "1", gold: "1" }, { pred: "2", gold: "3" }]),
    pool.verifyMany([{ pred: "4", gold: "4" }]),
  ]);
  assert.deepEqual(a.map((r) => r.result), ["equal", "not_equal"]);
  assert.equal(b[0].result, "equal");
  pool.close();
  const closed = await pool.verifyMany([{ pred: "1", gold: "1" }]);
  assert.equal(closed[0].reason, "pool_closed");
  assert.deepEqual(await pool.verifyMany([]), []);
});

Deno.test("VerifierPool validates its options", () => {
  assert.throws(() => new VerifierPool({ size: 0 }), RangeError);
  assert.throws(() => new VerifierPool({ timeoutMs: -1 }), RangeError);
});

Deno.test("VerifierPool.close answers cases still in flight with pool_closed at once", async () => {
  const pool = new VerifierPool({ size: 1, timeoutMs: 60_000, workerUrl: SLOW });
  await pool.verifyMany([{ pred: "1", gold: "1" }]);
  const pending = pool.verifyMany([{ pred: "__hang__", gold: "1" }, { pred: "2", gold: "2" }]);
  await new Promise((r) => setTimeout(r, 200));
  const t = performance.now();
  pool.close();
  const got = await pending;
  assert.ok(performance.now() - t < 1000);
  assert.deepEqual(got.map((r) => r.reason), ["pool_closed", "pool_closed"]);
});

Deno.test("VerifierPool answers bad_input for options that cannot be sent to a worker", async () => {
  const pool = new VerifierPool({ size: 1, timeoutMs: 5000 });
  try {
    const bad = { seed: 1, hook: () => 1 } as unknown as Record<string, never>;
    const got = await pool.verifyMany([{ pred: "1", gold: "1" }], bad);
    assert.equal(got[0].reason, "bad_input");
    assert.equal((await pool.verifyMany([{ pred: "1", gold: "1" }]))[0].result, "equal");
  } finally {
    pool.close();
  }
});

Deno.test("VerifierPool answers worker_error when its worker cannot start", async () => {
  const pool = new VerifierPool({
    size: 1,
    workerUrl: new URL("./_missing_worker.ts", import.meta.url),
  });
  try {
    const got = await pool.verifyMany([{ pred: "1", gold: "1" }, { pred: "2", gold: "2" }]);
    assert.deepEqual(got.map((r) => r.reason), ["worker_error", "worker_error"]);
  } finally {
    pool.close();
  }
});
