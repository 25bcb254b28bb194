import assert from "node:assert/strict";
import { DEFAULT_RL_CONFIG, resolveRlConfig, RL_PRESETS } from "../../lib/train/config.ts";

Deno.test("resolveRlConfig merges over the default and keeps nested critic keys", () => {
  const c = resolveRlConfig({ estimator: "grpo", critic: { k: 8 } });
  assert.equal(c.estimator, "grpo");
  assert.equal(c.critic.k, 8);
  assert.equal(c.critic.voteRule, DEFAULT_RL_CONFIG.critic.voteRule);
  assert.equal(c.wWhole, 2);
  assert.equal(c.wProcess, 1);
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.critic));
});

Deno.test("resolveRlConfig rejects unknown keys and bad values with the key named", () => {
  assert.throws(() => resolveRlConfig({ estimater: "capo" } as never), /got "estimater"/);
  assert.throws(() => resolveRlConfig({ critic: { kk: 1 } } as never), /got "critic.kk"/);
  assert.throws(() => resolveRlConfig({ estimator: "ppo" as never }), /estimator one of capo/);
  assert.throws(() => resolveRlConfig({ n: 0 }), /expected n an integer >= 1, got 0/);
  assert.throws(() => resolveRlConfig({ lr: -1 }), /expected lr a number >= 0/);
  assert.throws(() => resolveRlConfig({ critic: { falseFlagRate: 2 } }), /critic.falseFlagRate/);
});

Deno.test("the default and presets are frozen and valid", () => {
  assert.ok(Object.isFrozen(DEFAULT_RL_CONFIG) && Object.isFrozen(DEFAULT_RL_CONFIG.critic));
  for (const preset of Object.values(RL_PRESETS)) {
    assert.deepEqual(resolveRlConfig({}, preset), preset);
  }
  assert.equal(DEFAULT_RL_CONFIG.klCoef, 0, "KL is off by default");
  assert.equal(RL_PRESETS.demo.backend, "wasm");
});
