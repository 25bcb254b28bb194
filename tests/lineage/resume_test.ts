import assert from "node:assert/strict";
import { loadRun, resumeSource, RunRecordError, startRun } from "../../lib/lineage/mod.ts";
import { withTempDir } from "../data/_temp.ts";

const base = { kind: "train", task: "train", handleUnhandled: false, heartbeatIntervalMs: 0 };

Deno.test("resumeSource returns the recorded task, config and last checkpoint; the new run names its parent", async () => {
  await withTempDir(async (runsDir) => {
    const config = { rl: { iterations: 8 }, name: "t" };
    const input = {
      name: "policy",
      location: "https://example.org/m/model.safetensors",
      sha256: "ab".repeat(32),
      rows: 1,
    };
    const old = await startRun({ ...base, runsDir, name: "t", config, inputs: [input] });
    await Deno.mkdir(`${old.dir}/checkpoints`);
    await old.progress({ iteration: 4, checkpoint: `${old.dir}/checkpoints` });
    await old.interrupt("SIGTERM");
    const source = await resumeSource(runsDir, old.id);
    assert.deepEqual(source, {
      id: old.id,
      task: "train",
      config,
      checkpoint: `${runsDir}/${old.id}/checkpoints`,
      iteration: 4,
      inputs: [input],
    });
    // A run folder given as a path resolves its checkpoint beside it, whatever runsDir says.
    const byPath = await resumeSource("elsewhere", `${runsDir}/${old.id}/`);
    assert.equal(byPath.checkpoint, `${runsDir}/${old.id}/checkpoints`);
    const next = await startRun({
      ...base,
      runsDir,
      name: "t",
      config: source.config,
      resumedFrom: source.id,
    });
    await next.finish();
    const r = await loadRun(next.recordPath);
    assert.equal(r.resumed_from, old.id);
    assert.equal(r.parent_id, old.id);
    assert.notEqual(next.dir, old.dir);
  });
});

Deno.test("resumeSource refuses runs it cannot continue, with one-line messages", async () => {
  await withTempDir(async (runsDir) => {
    const refuse = async (id: string, message: RegExp) =>
      await assert.rejects(
        () => resumeSource(runsDir, id),
        (e: Error) =>
          e instanceof RunRecordError && message.test(e.message) && !e.message.includes("\n"),
      );
    const none = await startRun({ ...base, runsDir, id: "none", name: "n", config: {} });
    await none.progress({ iteration: 1 });
    await none.fail(new Error("x"));
    await refuse(
      "none",
      /^Cannot resume run none: it recorded no checkpoint \(status failed, last iteration 1\); start it again with deno task train$/,
    );
    const gone = await startRun({ ...base, runsDir, id: "gone", name: "g", config: {} });
    await gone.progress({ checkpoint: `${gone.dir}/checkpoints` });
    await gone.interrupt("SIGINT");
    await refuse("gone", /its checkpoint .*gone\/checkpoints is missing/);
    const live = await startRun({ ...base, runsDir, id: "live", name: "l", config: {} });
    await refuse("live", /still running \(pid \d+ on /);
    await live.finish();
    const notebook = await startRun({
      ...base,
      task: undefined,
      runsDir,
      id: "nb",
      name: "n",
      config: {},
    });
    await notebook.finish();
    await refuse("nb", /^Cannot resume run nb: it records no task/);
    await refuse("missing", /^Cannot resume run "missing"/);
  });
});
