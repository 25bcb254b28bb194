import assert from "node:assert/strict";
import { startRun } from "../../lib/lineage/mod.ts";

const cli = new URL("../../lib/cli/runs.ts", import.meta.url).pathname;

async function runs(runsDir: string, ...args: string[]): Promise<{ code: number; out: string }> {
  const o = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-env",
      "--allow-sys=hostname",
      "--allow-run=kill",
      cli,
      ...args,
    ],
    env: { CAPO_RUNS_DIR: runsDir, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: o.code,
    out: new TextDecoder().decode(o.stdout) + new TextDecoder().decode(o.stderr),
  };
}

Deno.test("deno task runs lists, shows and diffs records", async () => {
  const runsDir = await Deno.makeTempDir();
  const common = {
    runsDir,
    kind: "demo",
    task: "demo",
    handleUnhandled: false,
  };
  const a = await startRun({
    ...common,
    name: "a",
    id: "20260101-000000-a-000001",
    config: { rl: { estimator: "capo" } },
  });
  await a.finish({ arms: { capo: { accuracy: 0.5 } } });
  const b = await startRun({
    ...common,
    name: "b",
    id: "20260101-000001-b-000002",
    config: { rl: { estimator: "grpo" } },
  });
  await b.finish({ arms: { capo: { accuracy: 0.25 } } });
  const list = await runs(runsDir);
  assert.equal(list.code, 0);
  assert.match(list.out, /20260101-000000-a-000001\s+completed\s+demo\s+a/);
  assert.match(list.out, /arms\.capo\.accuracy=0\.5/);
  const show = await runs(runsDir, "show", "20260101-000001");
  assert.match(show.out, /status completed/);
  assert.match(show.out, /reproduce deno task reproduce 20260101-000001-b-000002/);
  const diff = await runs(runsDir, "diff", "20260101-000000", "20260101-000001");
  assert.match(diff.out, /rl\.estimator\s+capo\s+grpo/);
  assert.match(diff.out, /arms\.capo\.accuracy\s+0\.5\s+0\.25/);
  const json = JSON.parse((await runs(runsDir, "list", "--json")).out);
  assert.equal(json.length, 2);
  const bad = await runs(runsDir, "show", "nope");
  assert.equal(bad.code, 2);
  assert.match(bad.out, /Cannot find run "nope"/);
  for (const args of [["bogus"], ["show"], ["--nope"], ["diff", "a"]]) {
    const wrong = await runs(runsDir, ...args);
    assert.equal(wrong.code, 2, args.join(" "));
    assert.equal(wrong.out.trim().split("\n").length, 1, wrong.out);
  }
});
