// A grid through the one runner gives the same table whichever executor runs its arms: in this
// process, as local child processes, or as one Slurm array job on a real one-node cluster.
import assert from "node:assert/strict";
import { listRuns } from "../../lib/lineage/mod.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const GRID = `name: tiny-grid
policy: { path: ${ROOT}data/sft }
task: { synthetic: { trainSize: 40, validSize: 0, testSize: 6 } }
eval: { limit: 6, synthetic: { trainSize: 40, validSize: 0, testSize: 6 } }
rl: { iterations: 1, batchPrompts: 2, n: 2, minibatch: 4, checkpointEvery: 0, backend: cpu }
sampledEval: { samples: 0 }
critic: { k: 2 }
grid:
  rl.estimator: [capo, grpo]
groupBy: [rl.estimator]
`;

async function ablation(dir: string, executor: string, env: Record<string, string> = {}) {
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}/grid.yaml`, GRID);
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "experiments/ablate_estimators.ts",
      `--config=${dir}/grid.yaml`,
      `--runs-dir=${dir}/runs`,
      `--executor.kind=${executor}`,
    ],
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
  }).output();
  const stdout = new TextDecoder().decode(out.stdout).trim().split("\n");
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr).slice(-3000));
  const id = stdout.at(-1)!.split("/").at(-2)!;
  const children = await listRuns(`${dir}/runs`, { parentId: id });
  assert.deepEqual(children.map((c) => c.name).sort(), ["estimator=capo", "estimator=grpo"]);
  return await Deno.readTextFile(`${dir}/runs/${id}/ablation.md`);
}

Deno.test("a grid run in process and as local processes gives the same table", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "capo-grid-" });
  try {
    const inprocess = await ablation(`${tmp}/a`, "inprocess");
    const local = await ablation(`${tmp}/b`, "local");
    assert.match(inprocess, /\| capo \|/);
    assert.equal(local, inprocess);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

const script = new URL("./slurm_one_node.sh", import.meta.url).pathname;
const startOwn = Deno.env.get("CAPO_TEST_SLURM") === "1";
const hasSbatch = (Deno.env.get("PATH") ?? "").split(":").some((d) => {
  try {
    return Deno.statSync(`${d}/sbatch`).isFile;
  } catch {
    return false;
  }
});
const reason = !hasSbatch
  ? "sbatch is not installed"
  : !startOwn
  ? "set CAPO_TEST_SLURM=1 to start a one-node cluster"
  : "";

Deno.test({
  name: `a grid run as a Slurm array job gives the in-process table${
    reason ? ` (skipped: ${reason})` : ""
  }`,
  ignore: reason !== "",
  fn: async () => {
    const tmp = await Deno.makeTempDir({ prefix: "capo-grid-slurm-" });
    const up = await new Deno.Command("bash", { args: [script, "up"] }).output();
    assert.equal(up.code, 0, new TextDecoder().decode(up.stderr));
    try {
      const envFile = new TextDecoder().decode(up.stdout).trim();
      const conf = (await Deno.readTextFile(envFile)).match(/SLURM_CONF=(\S+)/)![1];
      const slurm = await ablation(`${tmp}/s`, "slurm", { SLURM_CONF: conf });
      const inprocess = await ablation(`${tmp}/a`, "inprocess");
      assert.equal(slurm, inprocess);
    } finally {
      await new Deno.Command("bash", { args: [script, "down"] }).output();
      await Deno.remove(tmp, { recursive: true });
    }
  },
});
