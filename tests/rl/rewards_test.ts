import assert from "node:assert/strict";
import { tokenRewards } from "../../lib/rl/rewards.ts";

Deno.test("tokenRewards gives W_whole·r_v minus W_process·v_t per token", () => {
  const input = { outcome: 1, wrongness: [0, 1, 0.5], tokenStep: [0, 0, 1, 2, 2] };
  assert.deepEqual(tokenRewards(input), [2, 2, 1, 1.5, 1.5]);
  assert.deepEqual(tokenRewards({ ...input, outcome: 0 }), [0, 0, -1, -0.5, -0.5]);
  assert.deepEqual(tokenRewards(input, { wWhole: 1, wProcess: 5 }), [1, 1, -4, -1.5, -1.5]);
});

Deno.test("tokenRewards treats steps without a verdict as correct", () => {
  assert.deepEqual(tokenRewards({ outcome: 1, wrongness: [], tokenStep: [0, 3] }), [2, 2]);
});

Deno.test("tokenRewards rejects out-of-range inputs", () => {
  assert.throws(
    () => tokenRewards({ outcome: 2, wrongness: [], tokenStep: [] }),
    /expected outcome in \[0, 1\], got 2/,
  );
  assert.throws(
    () => tokenRewards({ outcome: 1, wrongness: [1.5], tokenStep: [0] }),
    /wrongness\[0\]/,
  );
  assert.throws(
    () => tokenRewards({ outcome: 1, wrongness: [0], tokenStep: [-1] }),
    /tokenStep\[0\]/,
  );
});
