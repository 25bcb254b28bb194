import assert from "node:assert/strict";
import { displayStatus, loadRun } from "../../lib/lineage/mod.ts";
import { withTempDir } from "../data/_temp.ts";

const lineage = new URL("../../lib/lineage/mod.ts", import.meta.url).href;
const runsCli = new URL("../../lib/cli/runs.ts", import.meta.url).pathname;

/** A script that starts run "sig", reports iteration 3 and a checkpoint, says "ready", then idles. */
async function sleeper(dir: string, explicit: boolean): Promise<string> {
  const path = `${dir}/sleeper.ts`;
  await Deno.writeTextFile(
    path,
    `import { installInterruptHandlers, startRun } from "${lineage}";
const run = await startRun({ runsDir: "${dir}/runs", id: "sig", name: "s", kind: "train",
  task: "train", config: { x: 1 } });
${
      explicit
        ? `installInterruptHandlers(run, { onInterrupt: (info) =>
  Deno.writeTextFile("${dir}/cleanup.json", JSON.stringify(info)) });`
        : ""
    }
await run.progress({ iteration: 3, checkpoint: run.dir + "/checkpoints/iter-3" });
console.log("ready");
setTimeout(() => {}, 60_000); // bounded: the test kills it long before`,
  );
  return path;
}

/** Starts the script, waits for "ready", sends `signal`, and returns exit code and stderr. */
async function interruptWith(path: string, signal: Deno.Signal) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", path],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  const deadline = setTimeout(() => child.kill("SIGKILL"), 30_000);
  while (!seen.includes("ready")) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += value;
  }
  child.kill(signal);
  const [status, stderr] = await Promise.all([
    child.status,
    new Response(child.stderr).text(),
    reader.cancel(),
  ]);
  clearTimeout(deadline);
  return { code: status.code, stderr: stderr.trim() };
}

Deno.test("SIGTERM marks the run interrupted, runs the clean-up, prints one line, exits 143", async () => {
  await withTempDir(async (dir) => {
    const { code, stderr } = await interruptWith(await sleeper(dir, true), "SIGTERM");
    assert.equal(code, 143);
    assert.equal(stderr.split("\n").length, 1, stderr);
    assert.match(
      stderr,
      /^Interrupted by SIGTERM: run sig marked interrupted after iteration 3 \(checkpoint sig\/checkpoints\/iter-3\); continue it with --resume .*runs\/sig$/,
    );
    const r = await loadRun(`${dir}/runs/sig`);
    assert.equal(r.status, "interrupted");
    assert.deepEqual(r.progress, { iteration: 3, checkpoint: "sig/checkpoints/iter-3" });
    assert.ok(r.ended_at !== null);
    const info = JSON.parse(await Deno.readTextFile(`${dir}/cleanup.json`));
    assert.deepEqual(info, {
      signal: "SIGTERM",
      exitCode: 143,
      iteration: 3,
      checkpoint: "sig/checkpoints/iter-3",
    });
  });
});

Deno.test("Ctrl-C (SIGINT) on a run started with default handlers exits 130 with the record marked", async () => {
  await withTempDir(async (dir) => {
    const { code, stderr } = await interruptWith(await sleeper(dir, false), "SIGINT");
    assert.equal(code, 130);
    assert.doesNotMatch(stderr, /\n|\s+at /);
    assert.match(stderr, /^Interrupted by SIGINT: run sig marked interrupted after iteration 3/);
    assert.equal((await loadRun(`${dir}/runs/sig`)).status, "interrupted");
  });
});

Deno.test("a killed run (kill -9) shows as died in deno task runs", async () => {
  await withTempDir(async (dir) => {
    const { code } = await interruptWith(await sleeper(dir, false), "SIGKILL");
    assert.equal(code, 137);
    const r = await loadRun(`${dir}/runs/sig`);
    assert.equal(r.status, "running"); // nothing could be written
    assert.equal(displayStatus(r), "died");
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-env",
        "--allow-sys=hostname",
        "--allow-run=kill",
        runsCli,
      ],
      env: { CAPO_RUNS_DIR: `${dir}/runs` },
      stdout: "piped",
    }).output();
    assert.match(new TextDecoder().decode(out.stdout), /^sig\s+died\s+train\s+s\s/m);
    const show = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-env",
        "--allow-sys=hostname",
        "--allow-run=kill",
        runsCli,
        "show",
        "sig",
      ],
      env: { CAPO_RUNS_DIR: `${dir}/runs` },
      stdout: "piped",
    }).output();
    assert.match(new TextDecoder().decode(show.stdout), /status died\n/);
  });
});
