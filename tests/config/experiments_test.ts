import assert from "node:assert/strict";
import {
  ABLATION_CONFIG_SCHEMA,
  ABLATION_ONLY_KEYS,
  BENCH_CONFIG_SCHEMA,
  DEMO_CONFIG_SCHEMA,
  describeSchema,
  expandGrid,
  loadConfig,
  parseConfig,
  resolveCell,
  TRAIN_CONFIG_SCHEMA,
} from "../../lib/config/mod.ts";
import { DEFAULT_RL_CONFIG, resolveRlConfig, RL_SCHEMA } from "../../lib/train/mod.ts";

const configs = new URL("../../experiments/configs/", import.meta.url).pathname;

Deno.test("the rl section is RL_SCHEMA itself: YAML defaults equal the library's defaults", () => {
  assert.equal(TRAIN_CONFIG_SCHEMA.fields!.rl, RL_SCHEMA);
  const parsed = parseConfig("", TRAIN_CONFIG_SCHEMA);
  assert.deepEqual(parsed.rl, structuredClone(DEFAULT_RL_CONFIG));
  assert.deepEqual(resolveRlConfig(parsed.rl), DEFAULT_RL_CONFIG);
  assert.equal(parsed.critic.baseUrl, "", "the built-in reference critic by default");
  assert.equal(parsed.task.source, "synthetic");
});

Deno.test("the shipped experiment configs parse against their schemas", async () => {
  const demo = await loadConfig(`${configs}demo.yaml`, DEMO_CONFIG_SCHEMA);
  assert.deepEqual(demo.arms, ["capo", "grpo"]);
  assert.equal(demo.policy.path, "data/sft");
  resolveRlConfig(demo.rl);
  for (
    const name of ["ablate_weights", "ablate_estimators", "ablate_seeds", "ablate_voting_train"]
  ) {
    const ab = await loadConfig(`${configs}${name}.yaml`, ABLATION_CONFIG_SCHEMA);
    const cells = expandGrid(ab.grid);
    assert.ok(cells.length >= 4, name);
    for (const cell of cells) {
      const c = resolveCell(ab, cell, TRAIN_CONFIG_SCHEMA, ABLATION_ONLY_KEYS);
      resolveRlConfig(c.rl);
    }
  }
  const weights = await loadConfig(`${configs}ablate_weights.yaml`, ABLATION_CONFIG_SCHEMA);
  assert.deepEqual(weights.grid["rl.wProcess"], [0.1, 1, 2, 5]);
  assert.equal(weights.rl.wWhole, 2);
  const seeds = await loadConfig(`${configs}ablate_seeds.yaml`, ABLATION_CONFIG_SCHEMA);
  assert.equal(expandGrid(seeds.grid).length, 10, "5 seeds × 2 estimators");
  assert.deepEqual(seeds.compare, ["capo", "grpo"]);
  const gsm8k = await loadConfig(`${configs}gsm8k.yaml`, TRAIN_CONFIG_SCHEMA);
  assert.equal(gsm8k.task.format, "gsm8k");
  assert.match(gsm8k.eval.source, /test\.jsonl$/);
  const train = await loadConfig(`${configs}train.yaml`, TRAIN_CONFIG_SCHEMA);
  assert.equal(resolveRlConfig(train.rl).estimator, "capo");
  const bench = await loadConfig(`${configs}bench.yaml`, BENCH_CONFIG_SCHEMA, ["--parts=[verify]"]);
  assert.deepEqual(bench.parts, ["verify"]);
});

Deno.test("demo overrides are validated with the key named", () => {
  const demo = parseConfig("", DEMO_CONFIG_SCHEMA, {
    overrides: ["--rl.estimator=grpo", "--critic.k=8", "--critic.baseUrl=http://127.0.0.1:9/v1"],
  });
  assert.equal(demo.rl.estimator, "grpo");
  assert.equal(demo.critic.k, 8);
  assert.equal(demo.critic.baseUrl, "http://127.0.0.1:9/v1");
  assert.throws(
    () => parseConfig("", DEMO_CONFIG_SCHEMA, { overrides: ["--rl.estimator=ppo"] }),
    /--rl\.estimator=ppo.*expected rl\.estimator to be one of capo\|grpo\|dr_grpo\|rloo\|reinforce, got "ppo"/,
  );
  assert.throws(
    () =>
      parseConfig("critic:\n  reference:\n    kk: 3\n", DEMO_CONFIG_SCHEMA, { file: "demo.yaml" }),
    /demo\.yaml:3: .*unknown key "critic\.reference\.kk"/,
  );
  assert.ok(
    describeSchema(DEMO_CONFIG_SCHEMA).every((r) => r.doc.length > 0),
    "every key documented",
  );
});

Deno.test("expandGrid crosses keys with the first varying slowest; resolveCell names bad keys", () => {
  const cells = expandGrid({ "rl.estimator": ["capo", "grpo"], "rl.seed": [0, 1] });
  assert.deepEqual(cells.map((c) => c.label), [
    "estimator=capo,seed=0",
    "estimator=capo,seed=1",
    "estimator=grpo,seed=0",
    "estimator=grpo,seed=1",
  ]);
  assert.deepEqual(cells[1].overrides, ['--rl.estimator="capo"', "--rl.seed=1"]);
  assert.deepEqual(expandGrid({}), [{ values: {}, overrides: [], label: "" }]);
  const base = parseConfig("", TRAIN_CONFIG_SCHEMA);
  assert.throws(
    () => resolveCell(base, expandGrid({ "rl.wProces": [1] })[0], TRAIN_CONFIG_SCHEMA),
    /unknown key "rl\.wProces"/,
  );
});

Deno.test("policy.dtype accepts only float32, naming the key and the value given", () => {
  assert.equal(parseConfig("", TRAIN_CONFIG_SCHEMA).policy.dtype, "float32");
  assert.throws(
    () =>
      parseConfig("policy: {kind: hf, dtype: float16}", TRAIN_CONFIG_SCHEMA, { file: "c.yaml" }),
    /^ConfigError: Cannot load c\.yaml:1: expected policy\.dtype to be one of float32, got "float16"$/,
  );
});
