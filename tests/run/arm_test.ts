// The one runner: the same run made through `deno task train` and through `runArm` in a script or
// notebook gives records of the same structure and the same numbers; the ablation comparison pairs
// arms by the grid keys it does not group by.
import assert from "node:assert/strict";
import { resolveSchema } from "../../lib/config/schema.ts";
import { TRAIN_CONFIG_SCHEMA } from "../../lib/config/mod.ts";
import { loadRun } from "../../lib/lineage/mod.ts";
import { runArm } from "../../lib/run/mod.ts";
import { compareGroups } from "../../experiments/_ablation.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const OVERRIDES = {
  name: "same-run",
  policy: { path: `${ROOT}data/sft` },
  task: { synthetic: { trainSize: 40, validSize: 0, testSize: 6 } },
  eval: { limit: 6, synthetic: { trainSize: 40, validSize: 0, testSize: 6 } },
  rl: { iterations: 1, batchPrompts: 2, n: 2, minibatch: 4, checkpointEvery: 0, backend: "cpu" },
  sampledEval: { samples: 1 },
  critic: { k: 2 },
};

/** The shape of a record: its keys, recursively, with leaves replaced by their JSON type. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length ? [shape(value[0])] : [];
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).sort().map(([k, v]) => [k, shape(v)]));
  }
  return value === null ? "null" : typeof value;
}

Deno.test("the same run through the CLI and through runArm gives records of the same structure", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "capo-arm-" });
  try {
    const config = resolveSchema(TRAIN_CONFIG_SCHEMA, OVERRIDES);
    const lib = await runArm(config, { runsDir: `${tmp}/lib` });
    const file = `${tmp}/config.json`;
    await Deno.writeTextFile(file, JSON.stringify(config));
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "lib/cli/train.ts", `--config=${file}`, `--runs-dir=${tmp}/cli`],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const cliPath = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!;
    const [a, b] = [await loadRun(lib.recordPath), await loadRun(cliPath)];
    const { seconds: _a, ...summaryA } = a.summary ?? {};
    const { seconds: _b, ...summaryB } = b.summary ?? {};
    assert.deepEqual(summaryB, summaryA, "same numbers");
    const strip = (r: Record<string, unknown>) => {
      const { pid: _p, heartbeat_at: _h, ...rest } = r;
      return shape(rest);
    };
    assert.deepEqual(strip({ ...b }), strip({ ...a }), "same record structure");
    assert.equal(a.task, "train");
    assert.deepEqual(a.config, b.config);
    assert.ok(a.artifacts.some((x) => x.kind === "tensorboard"));
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("compareGroups pairs two estimators by seed and reports a t interval", () => {
  const runs = [0, 1, 2].flatMap((seed) => [
    {
      id: `c${seed}`,
      values: { "rl.estimator": "capo", "rl.seed": seed },
      summary: { acc: 0.5 + seed / 100 },
    },
    { id: `g${seed}`, values: { "rl.estimator": "grpo", "rl.seed": seed }, summary: { acc: 0.45 } },
  ]);
  const out = compareGroups(
    { compare: ["capo", "grpo"], groupBy: ["rl.estimator"], metrics: ["acc", "missing"] },
    runs,
  );
  assert.ok(out);
  assert.equal(out.label, "capo − grpo");
  assert.equal(out.rows.acc.n, 3);
  assert.ok(Math.abs(out.rows.acc.mean - 0.06) < 1e-12);
  assert.ok(out.rows.acc.ci95![0] < 0.06 && out.rows.acc.ci95![1] > 0.06);
  assert.equal(out.rows.missing, undefined, "a metric no run has is left out");
  assert.equal(
    compareGroups({ compare: [], groupBy: ["rl.estimator"], metrics: ["acc"] }, runs),
    null,
  );
});

Deno.test("a run names its checkpoint folder in the record before the first save", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "capo-arm-ckpt-" });
  try {
    const config = resolveSchema(TRAIN_CONFIG_SCHEMA, {
      ...OVERRIDES,
      rl: { ...OVERRIDES.rl, checkpointEvery: 1 },
      sampledEval: { samples: 0 },
    });
    // Stopped before any iteration, as if killed before the trainer's first checkpoint.
    const arm = await runArm(config, { runsDir: tmp, stopAfter: 0 });
    const record = await loadRun(arm.recordPath);
    assert.equal(record.progress.iteration, 0);
    assert.equal(record.progress.checkpoint, `${record.id}/checkpoints`);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
