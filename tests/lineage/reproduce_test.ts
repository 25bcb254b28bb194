import assert from "node:assert/strict";
import {
  compareSummaries,
  KNOWN_TASKS,
  LINEAGE_SCHEMA_VERSION,
  listRuns,
  reproduceRun,
  RunRecordError,
  startRun,
} from "../../lib/lineage/mod.ts";
import { withTempDir } from "../data/_temp.ts";

const denoJson = new URL("../../deno.json", import.meta.url).pathname;
const lineage = new URL("../../lib/lineage/mod.ts", import.meta.url).href;
const cli = new URL("../../lib/cli/reproduce.ts", import.meta.url).pathname;

Deno.test("compareSummaries matches numbers within tolerance and ignores timings", () => {
  assert.deepEqual(
    compareSummaries({ a: 0.5, seconds: 3, arms: { capo: { accuracy: 1 } } }, {
      a: 0.5 + 1e-12,
      seconds: 9,
      arms: { capo: { accuracy: 1 } },
    }),
    [],
  );
  assert.deepEqual(compareSummaries({ a: 0.5, b: "x" }, { a: 0.6, b: "x" }), [{
    key: "a",
    expected: 0.5,
    actual: 0.6,
  }]);
});

/** A stand-in for `deno task train`: records its argv, reads --config, writes a run and a child. */
async function fakeTask(dir: string, body: string): Promise<string[]> {
  const path = `${dir}/fake_task.ts`;
  await Deno.writeTextFile(
    path,
    `import { startRun } from "${lineage}";
const args = Deno.args;
await Deno.writeTextFile("${dir}/argv.json", JSON.stringify(args));
const get = (k: string) => args.find((a) => a.startsWith(k + "="))?.slice(k.length + 1);
const config = JSON.parse(await Deno.readTextFile(get("--config")!));
const run = await startRun({ runsDir: get("--runs-dir")!, name: "exp", kind: "t", task: "train",
  config });
const child = await run.child({ name: "arm", kind: "arm", config: { x: config.x } });
await child.finish({ y: ${body} });
await run.finish({ y: ${body} });
console.log("progress");
console.log(run.recordPath);`,
  );
  return [Deno.execPath(), "run", "-A", "--config", denoJson, path];
}

async function recordOf(runsDir: string, config: unknown, y: number) {
  const run = await startRun({
    runsDir,
    name: "exp",
    kind: "t",
    task: "train",
    config,
    handleUnhandled: false,
  });
  const child = await run.child({ name: "arm", kind: "arm", config: { x: 3 } });
  await child.finish({ y });
  await run.finish({ y });
  return { run, child };
}

Deno.test("reproduceRun re-runs the recorded task with only --config and --runs-dir", async () => {
  await withTempDir(async (dir) => {
    const runsDir = `${dir}/runs`;
    const config = { x: 3, note: "$(touch PWNED); `id` --runs-dir=/etc ' \" \n" };
    const { run, child } = await recordOf(runsDir, config, 6);
    const tasks = { train: await fakeTask(dir, "config.x * 2") };
    const result = await reproduceRun(run.recordPath, { tasks, root: dir });
    assert.equal(result.exitCode, 0);
    assert.ok(result.matches, JSON.stringify(result.mismatches));
    assert.deepEqual(result.reproduced?.summary, { y: 6 });
    assert.deepEqual(result.reproduced?.config, config);
    // Nothing but the config file and the runs folder reached the task's argv.
    const argv: string[] = JSON.parse(await Deno.readTextFile(`${dir}/argv.json`));
    assert.equal(argv.length, 2);
    assert.match(argv[0], /^--config=.*capo-reproduce-[^/]+\/config\.json$/);
    assert.equal(argv[1], `--runs-dir=${await Deno.realPath(runsDir)}`);
    assert.equal(await Deno.stat(`${dir}/PWNED`).catch(() => null), null);
    // The temporary config file is gone afterwards.
    assert.equal(await Deno.stat(argv[0].slice("--config=".length)).catch(() => null), null);
    // A nested record is reproduced through its parent and matched by name.
    const nested = await reproduceRun(`${runsDir}/${child.id}`, { tasks, root: dir });
    assert.ok(nested.matches);
    assert.equal(nested.reproduced?.name, "arm");
    assert.notEqual(nested.reproduced?.id, child.id);
  });
});

Deno.test("reproduceRun reports summary mismatches of a non-deterministic run", async () => {
  await withTempDir(async (dir) => {
    const { run } = await recordOf(`${dir}/runs`, { x: 3 }, 6);
    const tasks = { train: await fakeTask(dir, "Math.random()") };
    const result = await reproduceRun(run.recordPath, { tasks, root: dir });
    assert.equal(result.matches, false);
    assert.equal(result.mismatches[0].key, "y");
    assert.ok(result.configMatches);
  });
});

/** Writes a hand-made run.json the way an attacker would. */
async function crafted(runsDir: string, id: string, fields: Record<string, unknown>) {
  await Deno.mkdir(`${runsDir}/${id}`, { recursive: true });
  const record = {
    schema_version: LINEAGE_SCHEMA_VERSION,
    id,
    parent_id: null,
    name: "x",
    kind: "train",
    status: "completed",
    started_at: "2026-01-01T00:00:00.000Z",
    updated_at: "2026-01-01T00:00:00.000Z",
    summary: { y: 1 },
    cwd: "/",
    ...fields,
  };
  await Deno.writeTextFile(`${runsDir}/${id}/run.json`, JSON.stringify(record));
  return `${runsDir}/${id}`;
}

Deno.test("crafted records are refused and run nothing", async () => {
  await withTempDir(async (dir) => {
    const runsDir = `${dir}/runs`;
    const marker = `${dir}/PWNED`;
    const sh = ["sh", "-c", `touch ${marker}`];
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ task: "sh", command: sh, config: {} }, /expected a task of train, sft, .*got "sh"/],
      [{ command: sh, reproduce: sh.join(" "), config: {} }, /records no task/],
      [{ task: "toString", config: {} }, /got "toString"/],
      [{ task: "__proto__", config: {} }, /got "__proto__"/],
      [{ task: "train; touch x", config: {} }, /got "train; touch x"/],
      [{ task: "train", command: sh }, /expected its config to be an object, got undefined/],
      [{ task: "train", config: `x; touch ${marker}` }, /got string/],
      [{ task: "train", config: ["--config", "/etc/passwd"] }, /got an array/],
      [{ task: "train", config: null }, /got null/],
      [{ task: "demo", config: {}, nested: true, parent_id: "gone" }, /parent gone is needed/],
      [{ task: "demo", config: {}, nested: true, parent_id: "../c0" }, /got "\.\.\/c0"/],
    ];
    for (const [i, [fields, message]] of cases.entries()) {
      const ref = await crafted(runsDir, `c${i}`, fields);
      await assert.rejects(
        () => reproduceRun(ref),
        (error: Error) => error instanceof RunRecordError && message.test(error.message),
        `case ${i}: ${JSON.stringify(fields)}`,
      );
    }
    assert.equal(await Deno.stat(marker).catch(() => null), null);
    assert.deepEqual((await listRuns(runsDir)).length, cases.length); // no new record either
    assert.ok(KNOWN_TASKS.includes("ablate:voting"));
  });
});

Deno.test("deno task reproduce refuses a crafted record with one line and exit 2", async () => {
  await withTempDir(async (dir) => {
    const marker = `${dir}/PWNED`;
    const ref = await crafted(`${dir}/runs`, "evil", {
      task: "sh",
      command: ["sh", "-c", `touch ${marker}`],
      config: { a: 1 },
    });
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", denoJson, cli, ref],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr).trim();
    assert.equal(out.code, 2);
    assert.equal(stderr.split("\n").length, 1, stderr);
    assert.match(stderr, /^Cannot reproduce run evil: expected a task of .* got "sh"$/);
    assert.equal(await Deno.stat(marker).catch(() => null), null);
    const usage = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", denoJson, cli, ref, "--replay-config"],
      stderr: "piped",
    }).output();
    assert.equal(usage.code, 2);
    assert.doesNotMatch(new TextDecoder().decode(usage.stderr), /\n\s+at /);
  });
});
