import assert from "node:assert/strict";
import { benchCritic } from "../../lib/eval/mod.ts";

// The throughput target is measured by `deno task bench`; this only checks the benchmark runs.
Deno.test("benchCritic measures throughput and a fully cached rerun", async () => {
  const r = await benchCritic({ responses: 32, latencyMs: 20, concurrency: 8, k: 2 });
  assert.equal(r.critiques, 64);
  assert.equal(r.requests, 32);
  assert.equal(r.allowedCritiquesPerSecond, 800);
  assert.ok(r.critiquesPerSecond > 0 && r.ratio > 0 && r.ratio <= 1.05);
  assert.deepEqual([r.rerun.requests, r.rerun.cacheHits, r.rerun.allCached], [0, 64, true]);
});
