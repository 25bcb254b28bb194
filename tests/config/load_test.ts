import assert from "node:assert/strict";
import {
  ConfigError,
  loadConfig,
  parseConfig,
  parseOverride,
  splitOverrides,
} from "../../lib/config/load.ts";
import { describeSchema, schemaMarkdown, t } from "../../lib/config/schema.ts";
const schemaT = t;

const schema = t.object({
  name: t.string({ default: "demo", doc: "run name" }),
  seed: t.integer({ default: 0, min: 0 }),
  rl: t.object({
    estimator: t.enum(["capo", "grpo"] as const, { default: "capo", doc: "estimator" }),
    lr: t.number({ default: 3e-4, min: 0 }),
    ks: t.array(t.integer({ min: 1 }), { default: [1, 2] }),
    cacheDir: t.optional(t.string()),
  }),
  grid: t.record(t.array(t.scalar()), { default: {} }),
});

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${error}`);
    return error;
  }
  assert.fail("expected a ConfigError");
}

Deno.test("parseConfig fills explicit defaults and applies dotted overrides as YAML values", () => {
  const config = parseConfig("seed: 3\nrl:\n  lr: 0.01\n", schema, {
    overrides: ["--rl.estimator=grpo", "rl.ks=[4, 8]", "--name=x y"],
  });
  assert.deepEqual(config, {
    name: "x y",
    seed: 3,
    rl: { estimator: "grpo", lr: 0.01, ks: [4, 8] },
    grid: {},
  });
  assert.deepEqual(parseConfig("", schema).rl, { estimator: "capo", lr: 3e-4, ks: [1, 2] });
});

Deno.test("unknown keys are errors that name the key and its line", () => {
  const e = configError(() =>
    parseConfig("seed: 1\nrl:\n  lr: 0.1\n  estimatr: grpo\n", schema, { file: "demo.yaml" })
  );
  assert.equal(e.line, 4);
  assert.equal(e.key, "rl.estimatr");
  assert.match(
    e.message,
    /^Cannot load demo\.yaml:4: expected a key of rl \(estimator, lr, ks, cacheDir\), got unknown key "rl\.estimatr"/,
  );
});

Deno.test("bad values name the key, the line and the expected type", () => {
  const e = configError(() =>
    parseConfig("seed: 1\nrl:\n  ks: [1, 0]\n", schema, { file: "a.yaml" })
  );
  assert.equal(e.line, 3);
  assert.match(e.message, /a\.yaml:3: expected rl\.ks\.1 to be an integer >= 1, got 0/);
  const e2 = configError(() => parseConfig("rl:\n  estimator: ppo\n", schema, { file: "a.yaml" }));
  assert.match(e2.message, /a\.yaml:2: expected rl\.estimator to be one of capo\|grpo, got "ppo"/);
  const e3 = configError(() => parseConfig("seed: [1\n", schema, { file: "bad.yaml" }));
  assert.match(e3.message, /^Cannot parse bad\.yaml:\d+: expected YAML/);
});

Deno.test("errors caused by an override name the override", () => {
  const e = configError(() => parseConfig("seed: 1\n", schema, { overrides: ["--rl.lr=fast"] }));
  assert.equal(e.file, "command line");
  assert.match(
    e.message,
    /Cannot apply override "--rl\.lr=fast".*expected rl\.lr to be a number >= 0, got "fast"/,
  );
  const e2 = configError(() => parseConfig("", schema, { overrides: ["--rl.nope=1"] }));
  assert.match(e2.message, /unknown key "rl\.nope"/);
  assert.throws(() => parseOverride("--=3"), /expected --key\.path=value/);
});

Deno.test("a lineage run.json replays its recorded config", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/run.json`;
  await Deno.writeTextFile(
    path,
    JSON.stringify({
      schema_version: "1.0",
      id: "x",
      config: { seed: 9, rl: { estimator: "grpo" } },
    }),
  );
  const config = await loadConfig(path, schema, ["--rl.lr=0.5"]);
  assert.equal(config.seed, 9);
  assert.equal(config.rl.estimator, "grpo");
  assert.equal(config.rl.lr, 0.5);
  await assert.rejects(
    () => loadConfig(`${dir}/missing.yaml`, schema),
    /Cannot read config .*missing\.yaml/,
  );
});

Deno.test("splitOverrides separates dotted keys from the script's own flags", () => {
  assert.deepEqual(splitOverrides(["--rl.lr=1", "--quick", "--seed=2", "--runs-dir=x"], ["seed"]), {
    overrides: ["--rl.lr=1", "--seed=2"],
    rest: ["--quick", "--runs-dir=x"],
  });
});

Deno.test("describeSchema lists every leaf with its default; required keys say so", () => {
  const rows = describeSchema(schema);
  assert.deepEqual(rows.map((r) => r.key), [
    "name",
    "seed",
    "rl.estimator",
    "rl.lr",
    "rl.ks",
    "rl.cacheDir",
    "grid",
  ]);
  assert.equal(rows[2].default, '"capo"');
  assert.equal(rows[5].default, "unset");
  const required = schemaT.object({ path: schemaT.string() });
  assert.equal(describeSchema(required)[0].default, "required");
  assert.match(
    configError(() => parseConfig("", required, { file: "r.yaml" })).message,
    /expected path \(a string\), got nothing: the key is required/,
  );
  assert.match(
    schemaMarkdown(schema),
    /\| `rl\.estimator` \| one of capo\\\|grpo \| `"capo"` \| estimator \|/,
  );
});
