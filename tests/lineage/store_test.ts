import assert from "node:assert/strict";
import {
  diffRuns,
  flattenJson,
  formatDiff,
  formatRun,
  formatRunsTable,
  listRuns,
  loadRun,
  readMetrics,
  resolveRunPath,
  startRun,
} from "../../lib/lineage/mod.ts";

async function twoRuns() {
  const runsDir = await Deno.makeTempDir();
  const common = {
    runsDir,
    kind: "train",
    task: "train",
    handleUnhandled: false,
  };
  const a = await startRun({
    ...common,
    name: "a",
    id: "run-a",
    config: { rl: { estimator: "capo", lr: 1 } },
  });
  await a.finish({ accuracy: 0.5, process_accuracy: 0.25 });
  const b = await startRun({
    ...common,
    name: "b",
    id: "run-b",
    config: { rl: { estimator: "grpo", lr: 1 } },
  });
  await b.finish({ accuracy: 0.5, process_accuracy: 0.125 });
  return { runsDir, a, b };
}

Deno.test("listRuns, resolveRunPath and loadRun find runs by id, prefix, folder or path", async () => {
  const { runsDir } = await twoRuns();
  await Deno.mkdir(`${runsDir}/junk`);
  const ids = (await listRuns(runsDir)).map((r) => r.id);
  assert.deepEqual(ids, ["run-a", "run-b"]);
  assert.equal(await resolveRunPath("run-a", runsDir), `${runsDir}/run-a/run.json`);
  assert.equal((await loadRun(`${runsDir}/run-b/`, runsDir)).name, "b");
  await assert.rejects(() => resolveRunPath("run-", runsDir), /expected one match/);
  await assert.rejects(() => resolveRunPath("nope", runsDir), /Cannot find run "nope"/);
  assert.deepEqual(await listRuns(`${runsDir}/missing`), []);
});

Deno.test("diffRuns reports config and summary keys that differ", async () => {
  const { a, b } = await twoRuns();
  const diff = diffRuns(a.record, b.record);
  assert.deepEqual(diff.config, [{ key: "rl.estimator", a: "capo", b: "grpo" }]);
  assert.deepEqual(diff.summary, [{ key: "process_accuracy", a: 0.25, b: 0.125 }]);
  const text = formatDiff(diff, ["run-a", "run-b"]);
  assert.match(text, /rl\.estimator\s+capo\s+grpo/);
  assert.equal(
    formatDiff(diffRuns(a.record, a.record)),
    "configs equal\n\nsummaries equal",
  );
});

Deno.test("formatRunsTable and formatRun show status, summary and the reproduce command", async () => {
  const { runsDir } = await twoRuns();
  const records = await listRuns(runsDir);
  const table = formatRunsTable(records);
  assert.match(table.split("\n")[2], /^run-a\s+completed\s+train\s+a\s/);
  assert.match(table, /accuracy=0\.5 process_accuracy=0\.25/);
  assert.match(
    formatRun(records[0]),
    /command +deno task train\nreproduce deno task reproduce run-a/,
  );
  assert.equal(formatRunsTable([]), "no runs");
});

Deno.test("readMetrics skips a torn last line and loadRun refuses other schemas", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(`${dir}/r`);
  await Deno.writeTextFile(`${dir}/r/run.json`, JSON.stringify({ schema_version: "9.0" }));
  await Deno.writeTextFile(`${dir}/r/metrics.jsonl`, '{"step":0,"a":1}\n{"step":1,"a"');
  assert.deepEqual((await readMetrics(`${dir}/r`)).map((m) => m.step), [0]);
  await assert.rejects(() => loadRun(`${dir}/r`), /expected schema_version 1\.x, got "9\.0"/);
  assert.deepEqual(flattenJson({ a: { b: [1, { c: 2 }] }, d: {} }), {
    "a.b.0": 1,
    "a.b.1.c": 2,
    d: {},
  });
});
