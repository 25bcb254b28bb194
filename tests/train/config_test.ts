import assert from "node:assert/strict";
import {
  DEFAULT_RL_CONFIG,
  resolveRlConfig,
  RL_PRESETS,
  RL_SCHEMA,
} from "../../lib/train/config.ts";
import { rewardVerifyOptions } from "../../lib/rl/rewards.ts";

Deno.test("resolveRlConfig merges over the schema's defaults", () => {
  const c = resolveRlConfig({ estimator: "grpo", iterations: 7 });
  assert.equal(c.estimator, "grpo");
  assert.equal(c.iterations, 7);
  assert.equal(c.wWhole, 2);
  assert.equal(c.wProcess, 1);
  assert.ok(Object.isFrozen(c));
});

Deno.test("resolveRlConfig rejects unknown keys and bad values with the key named", () => {
  assert.throws(() => resolveRlConfig({ estimater: "capo" } as never), /estimater/);
  assert.throws(() => resolveRlConfig({ estimator: "ppo" as never }), /one of capo/);
  assert.throws(() => resolveRlConfig({ n: 0 }), /rl\.n .*integer >= 1, got 0/);
  assert.throws(() => resolveRlConfig({ lr: -1 }), /rl\.lr .*number >= 0/);
  assert.throws(
    () => resolveRlConfig({ verify: { relativeTolerance: 2 } as never }),
    /rl\.verify\.relativeTolerance .*\[0, 0\.5\], got 2/,
  );
});

Deno.test("rl.verify reaches the verifier, under the reward's extraction rule", () => {
  const c = resolveRlConfig({ verify: { signedVariables: true } as never });
  assert.equal(c.verify.signedVariables, true);
  assert.equal(c.verify.relativeTolerance, 0);
  const options = rewardVerifyOptions(c.verify);
  assert.equal(options.signedVariables, true);
  assert.equal(options.lastNumber, false);
  assert.equal(rewardVerifyOptions({ lastNumber: true }).lastNumber, false);
});

Deno.test("the default is the schema's defaults, and presets are frozen and valid", () => {
  for (const [key, field] of Object.entries(RL_SCHEMA.fields ?? {})) {
    assert.deepEqual(DEFAULT_RL_CONFIG[key as keyof typeof DEFAULT_RL_CONFIG], field.default, key);
  }
  for (const preset of Object.values(RL_PRESETS)) {
    assert.ok(Object.isFrozen(preset));
    assert.deepEqual(resolveRlConfig({}, preset), preset);
  }
  assert.equal(DEFAULT_RL_CONFIG.klCoef, 0, "KL is off by default");
  assert.equal(RL_PRESETS.demo.backend, "wasm");
});
