import assert from "node:assert/strict";
import { benchHf } from "../../../lib/model/hf/bench.ts";

Deno.test("benchHf measures a tiny Qwen2 shape and reports every figure", async () => {
  const r = await benchHf({
    backend: "cpu",
    hidden: 32,
    layers: 1,
    heads: 2,
    kvHeads: 1,
    intermediate: 64,
    vocab: 128,
    seqLen: 8,
    newTokens: 2,
    repeats: 1,
    loraRank: 2,
    torch: false,
  });
  assert.equal(r.backend, "cpu");
  assert.equal(r.f32Bytes, r.params * 4);
  for (const value of Object.values(r.capo)) assert.ok(Number.isFinite(value) && value >= 0);
  assert.ok(r.capo.forwardTokensPerS > 0 && r.capo.sampleCacheTokensPerS > 0);
  assert.deepEqual(r.torch, { skipped: "not requested" });
  assert.equal(r.ratios, undefined);
});
