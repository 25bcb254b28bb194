// Crash-resume of the train CLI: a run SIGKILLed mid-training and resumed with `--resume` must end
// at the same numbers, rollouts and weights as an uninterrupted run with the same seed (issue
// requirement: "a run killed at any point resumes from its last checkpoint").
import assert from "node:assert/strict";
import { readRollouts } from "../../lib/lineage/mod.ts";
import { sha256Hex } from "../../lib/util/mod.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const ITERATIONS = 6;

/**
 * The shipped SFT checkpoint (real, non-zero accuracies), a tiny budget, a KL term (so the start
 * policy must survive the kill too), evaluation mid-run, a checkpoint every iteration, and critic
 * latency that slows each iteration down enough to be killed in the middle of the run.
 */
const CONFIG = `name: resume-kill
policy: { path: data/sft }
task: { seed: 3, synthetic: { trainSize: 40, validSize: 0, testSize: 8 } }
eval: { seed: 3, limit: 8, synthetic: { trainSize: 40, validSize: 0, testSize: 8 } }
sampledEval: { samples: 0 }
critic: { k: 2, reference: { latencyMs: 100 } }
rl:
  iterations: ${ITERATIONS}
  batchPrompts: 2
  n: 4
  minibatch: 4
  lr: 3.0e-4
  klCoef: 0.05
  evalEvery: 3
  checkpointEvery: 1
  seed: 7
  backend: wasm
`;

function trainCommand(configPath: string, runsDir: string, extra: string[] = []): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "lib/cli/train.ts",
      ...(configPath ? ["--config", configPath] : []),
      "--runs-dir",
      runsDir,
      ...extra,
    ],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  });
}

async function runToEnd(configPath: string, runsDir: string, extra: string[] = []) {
  const { code, stdout, stderr } = await trainCommand(configPath, runsDir, extra).output();
  const lines = new TextDecoder().decode(stdout).trim().split("\n");
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return { evals: JSON.parse(lines.at(-2)!), recordPath: lines.at(-1)! };
}

async function onlyRunDir(runsDir: string): Promise<string | undefined> {
  try {
    for await (const entry of Deno.readDir(runsDir)) {
      if (entry.isDirectory) return `${runsDir}/${entry.name}`;
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return undefined;
}

/** Starts a run, SIGKILLs it once it has checkpointed iteration 1, returns its folder. */
async function runAndKill(configPath: string, runsDir: string): Promise<string> {
  const child = trainCommand(configPath, runsDir).spawn();
  // Drain the pipes so a full buffer never blocks the child.
  const drained = Promise.all([child.stdout.pipeTo(new WritableStream()), child.stderr.text()]);
  const deadline = Date.now() + 60_000;
  try {
    while (Date.now() < deadline) {
      const dir = await onlyRunDir(runsDir);
      const latest = dir && await readJson(`${dir}/checkpoints/latest.json`).catch(() => undefined);
      if (latest && latest.iteration >= 1) {
        child.kill("SIGKILL");
        return dir;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error("Cannot kill the run: no checkpoint of iteration 1 within 60 s");
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    const status = await child.status;
    const [, stderr] = await drained;
    assert.ok(!status.success, `the run ended on its own before the kill:\n${stderr}`);
  }
}

async function readJson(path: string) {
  return JSON.parse(await Deno.readTextFile(path));
}

async function readJsonl(path: string): Promise<Record<string, unknown>[]> {
  const text = await Deno.readTextFile(path);
  return text.trim().split("\n").map((line) => JSON.parse(line));
}

/** Drops what legitimately differs between two processes: wall-clock times and live tensors. */
function withoutTiming(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(row).filter(([k]) =>
      !k.startsWith("ms_") && k !== "time" && k !== "num_tensors"
    ),
  );
}

/** sha256 of each file of the newest checkpoint of a run (weights, optimizer, RNG and state). */
async function finalCheckpoint(runDir: string): Promise<Record<string, string>> {
  const latest = await readJson(`${runDir}/checkpoints/latest.json`);
  const folder = `${runDir}/checkpoints/${latest.dir}`;
  const out: Record<string, string> = { iteration: String(latest.iteration) };
  for (const file of ["model.safetensors", "optimizer.safetensors", "state.json"]) {
    out[file] = await sha256Hex(await Deno.readFile(`${folder}/${file}`));
  }
  return out;
}

Deno.test("train CLI killed with SIGKILL resumes to the numbers and weights of an uninterrupted run", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "capo-resume-kill-" });
  try {
    const configPath = `${tmp}/train.yaml`;
    await Deno.writeTextFile(configPath, CONFIG);
    // The uninterrupted run and the run to kill go side by side.
    const [straight, killedDir] = await Promise.all([
      runToEnd(configPath, `${tmp}/straight`),
      runAndKill(configPath, `${tmp}/killed`),
    ]);
    const killed = await readJson(`${killedDir}/run.json`);
    assert.equal(killed.status, "running", "a SIGKILLed run cannot finish its record");
    const killedAt = (await readJson(`${killedDir}/checkpoints/latest.json`)).iteration;
    assert.ok(killedAt >= 1 && killedAt < ITERATIONS, `killed after iteration ${killedAt}`);

    // As if the kill had landed mid-save: a torn folder for the next iteration, never named by
    // latest.json. The resumed run must ignore it and overwrite it.
    const torn = `${killedDir}/checkpoints/iter-${String(killedAt + 1).padStart(6, "0")}`;
    await Deno.mkdir(torn, { recursive: true });
    await Deno.writeTextFile(`${torn}/model.safetensors`, "torn");
    await Deno.writeTextFile(`${torn}/state.json`, "{");

    // The config comes from the killed run's record: --resume alone continues it.
    const resumed = await runToEnd("", `${tmp}/killed`, ["--resume", killedDir]);
    const straightDir = straight.recordPath.replace(/\/run\.json$/, "");
    const resumedDir = resumed.recordPath.replace(/\/run\.json$/, "");
    const [a, b] = [await readJson(straight.recordPath), await readJson(resumed.recordPath)];
    assert.equal(b.status, "completed");
    assert.equal(b.parent_id, killed.id);
    assert.equal(b.summary.resumed_from, killedAt);
    assert.equal(a.summary.resumed_from, 0);

    // Greedy evaluations before and after, and the summary's numbers.
    assert.deepEqual(resumed.evals, straight.evals);
    // Critic and rollout counters cover the iterations each process ran: only they (and times) differ.
    const { seconds: _a, resumed_from: _ra, critic: _ca, rollouts: _da, ...summaryA } = a.summary;
    const { seconds: _b, resumed_from: _rb, critic: _cb, rollouts: _db, ...summaryB } = b.summary;
    assert.deepEqual(summaryB, summaryA);
    // Every logged number of the iterations after the kill, and every rollout.
    const metricsA = (await readJsonl(`${straightDir}/metrics.jsonl`))
      .filter((m) => (m.step as number) > killedAt).map(withoutTiming);
    const metricsB = (await readJsonl(`${resumedDir}/metrics.jsonl`)).map(withoutTiming);
    assert.equal(metricsA.length, ITERATIONS - killedAt);
    assert.deepEqual(metricsB, metricsA);
    const rolloutsA = (await readRollouts(`${straightDir}/rollouts.jsonl.gz`)).rows
      .filter((r) => ((r as { iteration: number }).iteration) > killedAt);
    const rolloutsB = (await readRollouts(`${resumedDir}/rollouts.jsonl.gz`)).rows;
    assert.deepEqual(rolloutsB, rolloutsA);
    // Final weights, Adam moments and RNG state, byte for byte.
    assert.deepEqual(await finalCheckpoint(resumedDir), await finalCheckpoint(straightDir));
    assert.equal(
      (await readJson(`${killedDir}/checkpoints/latest.json`)).iteration,
      killedAt,
      "the resumed run writes into its own folder, not the old one",
    );

    // The comparison had something to compare: training moved the weights and the numbers.
    const start = await sha256Hex(await Deno.readFile(`${ROOT}/data/sft/model.safetensors`));
    assert.notEqual((await finalCheckpoint(straightDir))["model.safetensors"], start);
    assert.ok(metricsA.every((m) => (m.kl as number) > 0), "the policy left its start");
    assert.ok(metricsA.some((m) => (m.accuracy as number) > 0), "some rollouts were right");
    assert.ok(new Set(metricsA.map((m) => m.reward)).size > 1, "rewards vary by iteration");
    assert.ok(straight.evals.before.accuracy > 0);

    // Killed after its last checkpoint (before finishing its record): nothing is left to train, the
    // resumed run still finishes with the same final evaluation. Given as the printed record path.
    const late = await runToEnd("", `${tmp}/straight`, ["--resume", straight.recordPath]);
    const c = await readJson(late.recordPath);
    assert.equal(c.status, "completed");
    assert.equal(c.summary.resumed_from, ITERATIONS);
    assert.deepEqual(late.evals, straight.evals);
    const { seconds: _c, resumed_from: _rc, critic: _cc, rollouts: _dc, ...summaryC } = c.summary;
    assert.deepEqual(summaryC, summaryA);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
