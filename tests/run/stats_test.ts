import assert from "node:assert/strict";
import { pairedBootstrap, pairedDifference, tQuantile95 } from "../../lib/run/stats.ts";

Deno.test("pairedDifference gives the mean, sample sd and 95% t interval of A − B", () => {
  const d = pairedDifference([0.30, 0.32, 0.28], [0.27, 0.26, 0.28]);
  assert.equal(d.n, 3);
  assert.ok(Math.abs(d.mean - 0.03) < 1e-12);
  assert.ok(Math.abs(d.sd! - 0.03) < 1e-12, String(d.sd)); // differences 0.03, 0.06, 0.00
  const half = 4.303 * 0.03 / Math.sqrt(3);
  assert.ok(Math.abs(d.ci95![0] - (0.03 - half)) < 1e-12);
  assert.ok(Math.abs(d.ci95![1] - (0.03 + half)) < 1e-12);
  assert.equal(d.aWins, 2);
  const one = pairedDifference([1], [0]);
  assert.equal(one.sd, null);
  assert.equal(one.ci95, null, "one seed gives no interval");
  assert.throws(() => pairedDifference([1, 2], [1]), /equally long/);
});

Deno.test("tQuantile95 follows Student's t and tends to 1.96", () => {
  assert.equal(tQuantile95(1), 12.706);
  assert.equal(tQuantile95(4), 2.776);
  assert.equal(tQuantile95(1000), 1.96);
  assert.throws(() => tQuantile95(0), /df an integer >= 1/);
});

Deno.test("pairedBootstrap is seeded, brackets the mean, and is degenerate for equal arms", () => {
  const a = Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? 1 : 0));
  const b = Array.from({ length: 200 }, (_, i) => (i % 4 === 0 ? 1 : 0));
  const x = pairedBootstrap(a, b, { seed: 1 });
  assert.deepEqual(pairedBootstrap(a, b, { seed: 1 }), x);
  assert.ok(x.ci95![0] <= x.mean && x.mean <= x.ci95![1]);
  assert.ok(x.ci95![1] - x.ci95![0] > 0.02 && x.ci95![1] - x.ci95![0] < 0.3);
  const same = pairedBootstrap(a, a);
  assert.deepEqual([same.mean, same.sd, same.ci95], [0, 0, [0, 0]]);
});
