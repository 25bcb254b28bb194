/**
 * End-to-end smoke tests of the experiment scripts with tiny budgets: each writes its lineage
 * records and prints the record path as its last line. A random-weight checkpoint stands in for
 * data/sft so the tests do not depend on the shipped one.
 */
import assert from "node:assert/strict";
import { listRuns, loadRun } from "../../lib/lineage/mod.ts";
import {
  chooseBackend,
  createPolicy,
  DEFAULT_POLICY_CONFIG,
  saveCheckpoint,
} from "../../lib/model/mod.ts";

const root = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const tiny = [
  "--rl.iterations=1",
  "--rl.batchPrompts=2",
  "--rl.n=2",
  "--rl.minibatch=4",
  "--eval.limit=4",
  "--rl.maxNewTokens=16",
  "--sampledEval.samples=1",
  "--task.synthetic.trainSize=50",
  "--eval.synthetic.testSize=10",
];

async function randomCheckpoint(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "capo-ckpt-" });
  await chooseBackend("cpu");
  const policy = createPolicy({ ...DEFAULT_POLICY_CONFIG, nLayer: 1, nEmbd: 32, nHead: 2 });
  await saveCheckpoint(policy, dir);
  policy.dispose();
  return dir;
}

async function script(
  path: string,
  args: string[],
  runsDir: string,
): Promise<{ code: number; last: string; text: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", path, ...args],
    cwd: root,
    env: { CAPO_RUNS_DIR: runsDir, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const text = stdout + new TextDecoder().decode(out.stderr);
  return { code: out.code, last: stdout.trim().split("\n").at(-1) ?? "", text };
}

Deno.test("demo trains both arms, writes a parent record with one child per arm, prints its path last", async () => {
  const ckpt = await randomCheckpoint();
  const runsDir = await Deno.makeTempDir({ prefix: "capo-runs-" });
  const r = await script("experiments/demo.ts", [`--policy.path=${ckpt}`, ...tiny], runsDir);
  assert.equal(r.code, 0, r.text.slice(-2000));
  assert.match(r.last, /\/run\.json$/);
  const parent = await loadRun(r.last);
  assert.equal(parent.kind, "demo");
  assert.equal(parent.status, "completed");
  const arms = parent.summary?.arms as Record<string, Record<string, number>>;
  for (const arm of ["capo", "grpo"]) {
    for (const key of ["accuracy", "process_accuracy", "lucky_rate"]) {
      assert.equal(typeof arms[arm][key], "number", `arms.${arm}.${key}`);
    }
  }
  const children = await listRuns(runsDir, { parentId: parent.id });
  assert.deepEqual(children.map((c) => c.name).sort(), ["capo", "grpo"]);
  for (const child of children) {
    assert.equal(child.status, "completed");
    assert.equal(child.critic?.endpoint_kind, "reference");
    assert.match(String(child.critic?.template_sha256), /^[0-9a-f]{64}$/);
    assert.deepEqual(child.inputs.map((i) => i.name), ["synthetic", "synthetic", "policy"]);
    assert.ok(child.metrics.count >= 2, "before-eval and one iteration logged");
    assert.equal(child.artifacts[0].kind, "rollouts");
  }
  assert.match(r.text, /capo \(greedy\)\s+\|.*→/);
  assert.match(r.text, /grpo \(sampled\)\s+\|.*→/);
  assert.equal(
    typeof (arms.capo.sampled as unknown as Record<string, number>).lucky_rate,
    "number",
  );
});

Deno.test("an ablation grid becomes child runs and a grouped markdown table", async () => {
  const ckpt = await randomCheckpoint();
  const runsDir = await Deno.makeTempDir({ prefix: "capo-runs-" });
  const yaml = `${runsDir}/grid.yaml`;
  await Deno.writeTextFile(
    yaml,
    "name: tiny-grid\ngrid:\n  rl.estimator: [capo, rloo]\ngroupBy: [rl.estimator]\n",
  );
  const r = await script("experiments/ablate_estimators.ts", [
    `--config=${yaml}`,
    `--policy.path=${ckpt}`,
    ...tiny,
  ], runsDir);
  assert.equal(r.code, 0, r.text.slice(-2000));
  const parent = await loadRun(r.last);
  assert.equal(parent.kind, "ablation");
  const md = await Deno.readTextFile(`${runsDir}/${parent.id}/ablation.md`);
  assert.match(md, /\| rl\.estimator \| accuracy \| process_accuracy \| lucky_rate \|/);
  assert.equal((await listRuns(runsDir, { parentId: parent.id })).length, 2);
});

Deno.test("a config error exits 2 naming the key, and writes no record", async () => {
  const runsDir = await Deno.makeTempDir({ prefix: "capo-runs-" });
  const r = await script("experiments/demo.ts", ["--rl.estimatr=grpo"], runsDir);
  assert.equal(r.code, 2);
  assert.match(r.text, /unknown key "rl\.estimatr"/);
  assert.deepEqual(await listRuns(runsDir), []);
});

Deno.test("bench runs the chosen parts and records JSON and markdown artifacts", async () => {
  const runsDir = await Deno.makeTempDir({ prefix: "capo-runs-" });
  const r = await script("experiments/bench.ts", ["--parts=verify", "--verify.rounds=1"], runsDir);
  assert.equal(r.code, 0, r.text.slice(-2000));
  const record = await loadRun(r.last);
  assert.equal(record.kind, "bench");
  assert.deepEqual(record.artifacts.map((a) => a.path), ["bench.json", "bench.md"]);
  const parts = record.summary?.parts as Record<string, Record<string, number>>;
  const regression = parts.verify.regression as unknown as Record<string, number>;
  assert.ok(regression.agreement > 0.9);
  assert.ok(regression.casesPerSecond > 0);
});
