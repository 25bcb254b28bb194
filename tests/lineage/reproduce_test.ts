import assert from "node:assert/strict";
import { compareSummaries, listRuns, reproduceRun } from "../../lib/lineage/mod.ts";

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

const denoJson = new URL("../../deno.json", import.meta.url).pathname;

async function script(dir: string, body: string): Promise<string> {
  const lineage = new URL("../../lib/lineage/mod.ts", import.meta.url).href;
  const config = new URL("../../lib/config/mod.ts", import.meta.url).href;
  const path = `${dir}/exp.ts`;
  await Deno.writeTextFile(
    path,
    `import { startRun, defaultRunsDir } from "${lineage}";
import { loadConfig, splitOverrides, t } from "${config}";
const { overrides, rest } = splitOverrides(Deno.args, ["x"]);
const configPath = rest.find((a) => a.startsWith("--config="))?.slice(9) ?? "${dir}/c.yaml";
const config = await loadConfig(configPath, t.object({ x: t.number({ default: 1 }) }), overrides);
const run = await startRun({ runsDir: defaultRunsDir(), name: "exp", kind: "t", config,
  command: [Deno.execPath(), "run", "-A", "--config", "${denoJson}", "${dir}/exp.ts", ...Deno.args] });
const parent = run;
const child = await parent.child({ name: "arm", kind: "arm", config });
await child.finish({ y: ${body} });
await run.finish({ y: ${body} });
console.log("progress");
console.log(run.recordPath);`,
  );
  await Deno.writeTextFile(`${dir}/c.yaml`, "x: 2\n");
  return path;
}

async function runOnce(dir: string, path: string, args: string[] = []): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", denoJson, path, ...args],
    cwd: dir,
    env: { CAPO_RUNS_DIR: `${dir}/runs` },
    stdout: "piped",
  }).output();
  assert.ok(out.success);
  return new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!;
}

Deno.test("reproduceRun re-runs a deterministic run (and its child) and reports a match", async () => {
  const dir = await Deno.makeTempDir();
  const path = await script(dir, "config.x * 2");
  const recordPath = await runOnce(dir, path, ["--x=3"]);
  const result = await reproduceRun(recordPath);
  assert.equal(result.exitCode, 0);
  assert.ok(result.matches, JSON.stringify(result.mismatches));
  assert.deepEqual(result.reproduced?.summary, { y: 6 });
  const child = (await listRuns(`${dir}/runs`)).find((r) => r.name === "arm")!;
  const childResult = await reproduceRun(`${dir}/runs/${child.id}`);
  assert.ok(childResult.matches);
  assert.equal(childResult.reproduced?.name, "arm");
  assert.notEqual(childResult.reproduced?.id, child.id);
  // An edited config file changes the exact command's result; --replay-config restores it.
  await Deno.writeTextFile(`${dir}/c.yaml`, "x: 5\n");
  const plain = await reproduceRun(`${dir}/runs/${child.id}`);
  assert.equal(plain.matches, true); // --x=3 override still wins over the file
  const replay = await reproduceRun(recordPath, { replayConfig: true });
  assert.ok(replay.command.at(-1)!.startsWith("--config="));
  assert.ok(replay.matches);
});

Deno.test("reproduceRun reports summary mismatches of a non-deterministic run", async () => {
  const dir = await Deno.makeTempDir();
  const path = await script(dir, "Math.random()");
  const recordPath = await runOnce(dir, path);
  const result = await reproduceRun(recordPath);
  assert.equal(result.matches, false);
  assert.equal(result.mismatches[0].key, "y");
  assert.ok(result.configMatches);
});
