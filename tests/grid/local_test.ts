import assert from "node:assert/strict";
import { runGrid, runGridLocal } from "../../lib/grid/mod.ts";

const deno = Deno.execPath();

Deno.test("runGridLocal runs every arm, bounded by concurrency, and logs each one", async () => {
  const dir = await Deno.makeTempDir();
  const arms = [0, 1, 2].map((i) => ({
    label: `arm${i}`,
    argv: [
      deno,
      "eval",
      `await Deno.writeTextFile("out${i}.txt", "${i}"); console.log("arm ${i}")`,
    ],
    cwd: dir,
  }));
  const seen: number[] = [];
  const result = await runGridLocal(arms, {
    concurrency: 2,
    logDir: `${dir}/logs`,
    onProgress: (p) => seen.push(p.running),
  });
  assert.equal(result.executor, "local");
  assert.equal(result.failed, 0);
  assert.deepEqual(result.arms.map((a) => [a.label, a.exitCode, a.attempts, a.state]), [
    ["arm0", 0, 1, "COMPLETED"],
    ["arm1", 0, 1, "COMPLETED"],
    ["arm2", 0, 1, "COMPLETED"],
  ]);
  assert.ok(Math.max(...seen) <= 2 && Math.max(...seen) >= 1);
  for (const i of [0, 1, 2]) {
    assert.equal(await Deno.readTextFile(`${dir}/out${i}.txt`), String(i));
    assert.equal((await Deno.readTextFile(result.arms[i].logPath)).trim(), `arm ${i}`);
  }
});

Deno.test("runGridLocal retries a failed arm once and reports the last exit code", async () => {
  const dir = await Deno.makeTempDir();
  // Fails on the first attempt (no marker yet), succeeds on the retry.
  const flaky =
    `try { await Deno.stat("m"); } catch { await Deno.writeTextFile("m", ""); Deno.exit(3); }`;
  const result = await runGridLocal([
    { label: "flaky", argv: [deno, "eval", flaky], cwd: dir },
    { label: "broken", argv: [deno, "eval", "Deno.exit(4)"], cwd: dir },
    { label: "missing", argv: ["capo-no-such-program"], cwd: dir },
  ], { logDir: dir });
  assert.deepEqual(result.arms.map((a) => [a.label, a.exitCode, a.attempts]), [
    ["flaky", 0, 2],
    ["broken", 4, 2],
    ["missing", 127, 2],
  ]);
  assert.equal(result.failed, 2);
  assert.match(
    await Deno.readTextFile(result.arms[2].logPath),
    /cannot start "capo-no-such-program"/,
  );
});

Deno.test("runGridLocal rejects duplicate labels and empty argv", async () => {
  await assert.rejects(
    runGridLocal([{ label: "a", argv: ["true"] }, { label: "a", argv: ["true"] }]),
    /arm 1 needs a unique label, got "a"/,
  );
  await assert.rejects(runGridLocal([{ label: "a", argv: [] }]), /arm 0 \(a\) needs argv strings/);
});

Deno.test("runGrid dispatches on the executor name and rejects unknown ones", async () => {
  const dir = await Deno.makeTempDir();
  const arms = [{ label: "a", argv: [deno, "eval", "0"] }];
  const local = await runGrid(arms, { local: { logDir: dir } });
  assert.equal(local.executor, "local");
  assert.equal(local.arms[0].exitCode, 0);
  await assert.rejects(
    runGrid(arms, { executor: "k8s" as "local" }),
    /unknown executor "k8s"; use one of local, slurm/,
  );
  await assert.rejects(runGrid(arms, { executor: "slurm" }), /expected slurm.workDir/);
});
