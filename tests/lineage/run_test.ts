import assert from "node:assert/strict";
import { hashJson } from "../../lib/util/mod.ts";
import {
  criticRecord,
  LINEAGE_SCHEMA_VERSION,
  loadRun,
  readMetrics,
  startRun,
} from "../../lib/lineage/mod.ts";

const base = {
  kind: "test",
  task: "demo",
  command: ["deno", "task", "demo", "--rl.estimator=grpo"],
  handleUnhandled: false,
};

Deno.test("startRun writes a running record with code, config hash, runtime and command", async () => {
  const runsDir = await Deno.makeTempDir();
  const config = { rl: { estimator: "capo", lr: 0.001 }, seed: 3 };
  const run = await startRun({
    ...base,
    runsDir,
    name: "Demo run",
    config,
    seeds: { train: 3 },
    inputs: [{
      name: "synthetic",
      location: "https://u:p@host/x.jsonl?sig=1",
      sha256: "ab",
      rows: 10,
      split: "train",
    }],
    backend: { name: "wasm", requested: "auto", isGpu: false },
  });
  assert.match(run.id, /^\d{8}-\d{6}-demo-run-[0-9a-f]{6}$/);
  const r = await loadRun(run.recordPath);
  assert.equal(r.schema_version, LINEAGE_SCHEMA_VERSION);
  assert.equal(r.status, "running");
  assert.equal(r.config_sha256, await hashJson(config));
  assert.deepEqual(r.config, config);
  assert.equal(r.inputs[0].location, "https://host/x.jsonl");
  assert.deepEqual(r.backend, { name: "wasm", requested: "auto", is_gpu: false });
  assert.equal(r.runtime.deno, Deno.version.deno);
  assert.equal(r.runtime.packages.yaml, "2.9.1");
  assert.equal(r.reproduce, "deno task demo --rl.estimator=grpo");
  // This checkout is a git repository: commit is a 40-hex sha.
  assert.match(r.code.commit ?? "", /^[0-9a-f]{40}$/);
  assert.equal(typeof r.code.dirty, "boolean");
  await run.finish();
});

Deno.test("a run outside git records why the code fields are null", async () => {
  const cwd = await Deno.makeTempDir();
  const run = await startRun({ ...base, runsDir: `${cwd}/runs`, cwd, name: "x", config: {} });
  const r = run.record;
  assert.equal(r.code.commit, null);
  assert.equal(r.code.dirty, null);
  assert.match(r.code.error ?? "", /not a git repository|git not installed/);
  await run.fail(new Error("stop"));
  const saved = await loadRun(run.recordPath);
  assert.equal(saved.status, "failed");
  assert.equal(saved.error?.message, "stop");
});

Deno.test("metrics append step-indexed lines; summary, artifacts and finish land in run.json", async () => {
  const runsDir = await Deno.makeTempDir();
  const run = await startRun({ ...base, runsDir, name: "m", config: {}, progressIntervalMs: 0 });
  await run.logMetrics(0, { reward: 0.5, loss: NaN });
  await run.logMetrics(1, { reward: 0.75 });
  let r = await loadRun(run.recordPath);
  assert.equal(r.metrics.count, 2);
  assert.equal(r.metrics.last_step, 1);
  const rows = await readMetrics(run.recordPath);
  assert.deepEqual(rows.map((x) => [x.step, x.reward, x.loss]), [[0, 0.5, null], [
    1,
    0.75,
    undefined,
  ]]);
  const file = `${run.dir}/ckpt/model.bin`;
  await Deno.mkdir(`${run.dir}/ckpt`);
  await Deno.writeFile(file, new Uint8Array([1, 2, 3]));
  const [art] = await run.addArtifact(`${run.dir}/ckpt`, "checkpoint");
  assert.deepEqual(art, {
    path: "ckpt/model.bin",
    kind: "checkpoint",
    bytes: 3,
    sha256: "039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81",
  });
  await run.finish({ accuracy: 0.9, arms: { capo: { lucky_rate: 0.1 } } });
  r = await loadRun(run.recordPath);
  assert.equal(r.status, "completed");
  assert.equal(r.artifacts.length, 1);
  assert.deepEqual(r.summary, { accuracy: 0.9, arms: { capo: { lucky_rate: 0.1 } } });
  assert.ok(r.duration_s !== null && r.duration_s >= 0);
  await assert.rejects(() => run.logMetrics(2, {}), /expected a running run/);
  await run.fail(new Error("late")); // no-op once ended
  assert.equal((await loadRun(run.recordPath)).status, "completed");
});

Deno.test("child runs point at the parent and fail with it", async () => {
  const runsDir = await Deno.makeTempDir();
  const parent = await startRun({ ...base, runsDir, name: "p", config: {} });
  const child = await parent.child({
    name: "capo",
    kind: "demo-arm",
    config: { estimator: "capo" },
  });
  assert.equal(child.record.parent_id, parent.id);
  assert.deepEqual(child.record.command, base.command);
  await parent.fail(new Error("boom"));
  const c = await loadRun(child.recordPath);
  assert.equal(c.status, "failed");
  assert.match(c.error?.message ?? "", /parent run .* failed: boom/);
});

Deno.test("records refuse credentials and keep only critic settings", async () => {
  const runsDir = await Deno.makeTempDir();
  await assert.rejects(
    () => startRun({ ...base, runsDir, name: "k", config: { critic: { api_key: "abc" } } }),
    /config\.critic\.api_key/,
  );
  await assert.rejects(
    () => startRun({ ...base, runsDir, name: "k", config: { note: "sk-abcdefghijklmnopqrstuv" } }),
    /shaped like an API key/,
  );
  const critic = await criticRecord(
    {
      baseUrl: "http://127.0.0.1:9/v1",
      model: "ref",
      k: 4,
      voteRule: "majority",
      temperature: 0.7,
      maxTokens: 64,
      apiKeyEnv: "OPENAI_API_KEY",
      template: "T",
      apiKey: "sk-secretsecretsecretsecret",
    } as never,
    { endpointKind: "reference" },
  );
  assert.equal(critic.api_key_env, "OPENAI_API_KEY");
  assert.ok(!JSON.stringify(critic).includes("sk-"));
  assert.equal(
    critic.template_sha256,
    "e632b7095b0bf32c260fa4c539e9fd7b852d0de454e9be26f24d0d6f91d069d3",
  );
  const run = await startRun({
    ...base,
    runsDir,
    name: "c",
    config: { max_tokens: 5, api_key_env: "X" },
    critic,
  });
  await assert.rejects(() => run.setSummary({ token: "abc" }), /summary\.token/);
  await run.finish();
});

Deno.test("an uncaught error in a script marks its run failed, never torn", async () => {
  const dir = await Deno.makeTempDir();
  const script = `${dir}/crash.ts`;
  const mod = new URL("../../lib/lineage/mod.ts", import.meta.url).href;
  await Deno.writeTextFile(
    script,
    `import { startRun } from "${mod}";
const run = await startRun({ runsDir: "${dir}/runs", id: "crash", name: "c", kind: "t", config: {}, command: ["x"] });
await run.logMetrics(0, { a: 1 });
setTimeout(() => { throw new Error("boom"); }, 1);`,
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script],
    stderr: "piped",
    stdout: "piped",
  }).output();
  assert.equal(out.code, 1);
  const stderr = new TextDecoder().decode(out.stderr).trim();
  assert.match(stderr, /^Run crash failed: boom \(stack trace in .*crash\/run\.json\)$/);
  const r = await loadRun(`${dir}/runs/crash`);
  assert.equal(r.status, "failed");
  assert.equal(r.error?.message, "boom");
  assert.match(r.error?.stack ?? "", /crash\.ts:\d+/);
  assert.doesNotMatch(r.error?.stack ?? "", /file:\/\//);
  const leftovers = [...Deno.readDirSync(`${dir}/runs/crash`)].map((e) => e.name).sort();
  assert.deepEqual(leftovers, ["metrics.jsonl", "run.json"]);
});

Deno.test("a record holds pid, host and a heartbeat that a timer refreshes", async () => {
  const runsDir = await Deno.makeTempDir();
  const run = await startRun({
    ...base,
    runsDir,
    name: "h",
    config: {},
    heartbeatIntervalMs: 1000,
  });
  const first = await loadRun(run.recordPath);
  assert.equal(first.pid, Deno.pid);
  assert.equal(first.host, Deno.hostname());
  assert.equal(first.heartbeat_interval_s, 1);
  assert.equal(first.task, "demo");
  await new Promise((resolve) => setTimeout(resolve, 1300));
  const later = await loadRun(run.recordPath);
  assert.ok(Date.parse(later.heartbeat_at) > Date.parse(first.heartbeat_at));
  await run.finish();
  await assert.rejects(
    () => startRun({ ...base, runsDir, name: "h", config: {}, heartbeatIntervalMs: 10 }),
    /expected heartbeatIntervalMs 0 or >= 1000, got 10/,
  );
});

Deno.test("progress records the last iteration and a checkpoint relative to the runs folder", async () => {
  const runsDir = await Deno.makeTempDir();
  const run = await startRun({
    ...base,
    runsDir,
    name: "p",
    config: {},
    progressIntervalMs: 60_000,
  });
  await run.progress({ iteration: 2, checkpoint: `${run.dir}/checkpoints` });
  let r = await loadRun(run.recordPath);
  assert.deepEqual(r.progress, { iteration: 2, checkpoint: `${run.id}/checkpoints` });
  await run.progress({ iteration: 3 }); // throttled: not written yet
  assert.equal((await loadRun(run.recordPath)).progress.iteration, 2);
  await run.interrupt("SIGTERM");
  r = await loadRun(run.recordPath);
  assert.equal(r.status, "interrupted");
  assert.deepEqual(r.progress, { iteration: 3, checkpoint: `${run.id}/checkpoints` });
  assert.equal(r.error?.message, "interrupted by SIGTERM");
  await assert.rejects(() => run.progress({ iteration: -1 }), /expected a running run/);
});

Deno.test("records hold no absolute path of the machine that made them", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir());
  await Deno.writeTextFile(`${root}/deno.json`, "{}");
  await Deno.mkdir(`${root}/data/sft`, { recursive: true });
  await Deno.writeTextFile(`${root}/data/sft/model.bin`, "w");
  const runsDir = `${root}/runs`;
  const run = await startRun({
    ...base,
    runsDir,
    cwd: root,
    name: "abs",
    config: { lr: 1 },
    command: [Deno.execPath(), "run", `${root}/lib/cli/train.ts`, `--config=${root}/x.yaml`, "-q"],
    inputs: [{ name: "gsm8k", location: `${root}/../shared/gsm8k.jsonl`, sha256: "ab", rows: 1 }],
  });
  await run.addArtifact(`${root}/data/sft/model.bin`, "start-checkpoint");
  await Deno.writeTextFile(`${run.dir}/out.md`, "x");
  await run.addArtifact(`${run.dir}/out.md`, "table");
  await run.progress({ checkpoint: `${run.dir}/checkpoints` });
  await run.fail(
    new Error(`Cannot read ${root}/data/x.jsonl or /etc/capo/y.yaml (see http://h/a/b)`),
  );
  const text = await Deno.readTextFile(run.recordPath);
  assert.ok(!text.includes(root), text);
  const r = await loadRun(run.recordPath);
  assert.deepEqual(r.command, ["deno", "run", "lib/cli/train.ts", "--config=x.yaml", "-q"]);
  assert.equal(r.cwd, ".");
  assert.equal(r.inputs[0].location, "../shared/gsm8k.jsonl");
  assert.deepEqual(r.artifacts.map((a) => [a.path, a.relative_to]), [
    ["data/sft/model.bin", "repository"],
    ["out.md", undefined],
  ]);
  assert.equal(r.progress.checkpoint, `${run.id}/checkpoints`);
  assert.match(
    r.error?.message ?? "",
    /^Cannot read data\/x\.jsonl or (\.\.\/)+etc\/capo\/y\.yaml \(see http:\/\/h\/a\/b\)$/,
  );
  assert.ok(!(r.error?.stack ?? "").includes("file://"));
});

Deno.test("a nested child inherits the task and is marked nested", async () => {
  const runsDir = await Deno.makeTempDir();
  const parent = await startRun({ ...base, runsDir, name: "p", config: {} });
  const child = await parent.child({ name: "arm", kind: "arm", config: { a: 1 } });
  assert.equal(child.record.task, "demo");
  assert.equal(child.record.nested, true);
  assert.equal(parent.record.nested, false);
  await parent.interrupt("SIGINT");
  assert.equal((await loadRun(child.recordPath)).status, "interrupted");
});
