import assert from "node:assert/strict";
import { type Exec, runGridLocal, runGridSlurm, slurmScript } from "../../lib/grid/mod.ts";

Deno.test("slurmScript writes one array job with the resources and a case per arm", () => {
  const script = slurmScript([
    { label: "seed=0", argv: ["deno", "task", "train", "--seed=0"], cwd: "/shared/capo" },
    { label: "it's", argv: ["echo", "it's"], env: { CAPO_RUNS_DIR: "/shared/runs" } },
  ], {
    workDir: "/shared/grid",
    partition: "gpu",
    time: "04:00:00",
    cpusPerTask: 4,
    gpusPerTask: 1,
    maxParallel: 8,
    extraSbatch: ["#SBATCH --account=lab", "--qos=high"],
  });
  const header = script.split("\n").filter((l) => l.startsWith("#SBATCH"));
  assert.deepEqual(header, [
    "#SBATCH --job-name=capo-grid",
    "#SBATCH --array=0-1%8",
    "#SBATCH --output=/shared/grid/logs/%A_%a.log",
    "#SBATCH --cpus-per-task=4",
    "#SBATCH --partition=gpu",
    "#SBATCH --time=04:00:00",
    "#SBATCH --gpus-per-task=1",
    "#SBATCH --account=lab",
    "#SBATCH --qos=high",
  ]);
  assert.match(
    script,
    /0\) # seed=0\n {4}cd '\/shared\/capo' && exec env 'deno' 'task' 'train' '--seed=0' ;;/,
  );
  assert.match(script, /exec env CAPO_RUNS_DIR='\/shared\/runs' 'echo' 'it'"'"'s' ;;/);
  assert.throws(
    () => slurmScript([{ label: "a", argv: ["x"] }], { workDir: "/w", extraSbatch: ["a\nb"] }),
    /extra #SBATCH line has a newline/,
  );
});

Deno.test("runGridSlurm follows scontrol, retries failed tasks once as a smaller array", async () => {
  const dir = await Deno.makeTempDir();
  const calls: string[] = [];
  let polls = 0;
  const exec: Exec = (cmd, args) => {
    calls.push([cmd, ...args].join(" "));
    if (cmd === "sbatch") {
      return Promise.resolve({
        code: 0,
        stdout: args.length === 2 ? "41\n" : "42;cluster\n",
        stderr: "",
      });
    }
    polls++;
    const job = args[3];
    const stdout = job === "41"
      ? (polls === 1 ? "JobId=41 ArrayJobId=41 ArrayTaskId=0-2 JobState=PENDING ExitCode=0:0\n" : [
        "JobId=43 ArrayJobId=41 ArrayTaskId=2 JobState=COMPLETED ExitCode=0:0",
        "JobId=44 ArrayJobId=41 ArrayTaskId=1 JobState=FAILED ExitCode=3:0",
        "JobId=41 ArrayJobId=41 ArrayTaskId=0 JobState=TIMEOUT ExitCode=0:15",
      ].join("\n"))
      : "JobId=42 ArrayJobId=42 ArrayTaskId=0 JobState=COMPLETED ExitCode=0:0\n" +
        "JobId=45 ArrayJobId=42 ArrayTaskId=1 JobState=FAILED ExitCode=5:0\n";
    return Promise.resolve({ code: 0, stdout, stderr: "" });
  };
  const progress: string[] = [];
  const result = await runGridSlurm(
    ["a", "b", "c"].map((label) => ({ label, argv: ["true"] })),
    {
      workDir: dir,
      maxParallel: 2,
      exec,
      pollMs: 1,
      onProgress: (p) => progress.push(`${p.round}:${p.pending}/${p.completed}/${p.failed}`),
    },
  );
  assert.deepEqual(calls.filter((c) => c.startsWith("sbatch")), [
    `sbatch --parsable ${dir}/grid.sbatch`,
    `sbatch --parsable --array=0,1%2 ${dir}/grid.sbatch`,
  ]);
  assert.deepEqual(result.jobIds, ["41", "42"]);
  assert.deepEqual(result.arms.map((a) => [a.label, a.exitCode, a.state, a.attempts]), [
    ["a", 0, "COMPLETED", 2],
    ["b", 5, "FAILED", 2],
    ["c", 0, "COMPLETED", 1],
  ]);
  assert.equal(result.arms[1].logPath, `${dir}/logs/42_1.log`);
  assert.equal(result.failed, 1);
  assert.deepEqual(progress, ["1:3/0/0", "1:0/1/2", "2:0/1/1"]);
});

Deno.test("runGridSlurm with dryRun writes the script and submits nothing", async () => {
  const dir = await Deno.makeTempDir();
  const exec: Exec = () => Promise.reject(new Error("must not run"));
  const result = await runGridSlurm([{ label: "a", argv: ["true"] }], {
    workDir: dir,
    dryRun: true,
    exec,
  });
  assert.equal(result.script, await Deno.readTextFile(`${dir}/grid.sbatch`));
  assert.deepEqual(result.jobIds, []);
});

Deno.test("runGridSlurm names sbatch's error when submission fails", async () => {
  const dir = await Deno.makeTempDir();
  const exec: Exec = () =>
    Promise.resolve({ code: 1, stdout: "", stderr: "sbatch: error: invalid partition\n" });
  await assert.rejects(
    runGridSlurm([{ label: "a", argv: ["true"] }], { workDir: dir, exec }),
    /sbatch exited 1: sbatch: error: invalid partition$/,
  );
});

// A real cluster: CAPO_TEST_SLURM=1 starts a one-node one with tests/grid/slurm_one_node.sh (root,
// apt packages munge slurmctld slurmd slurm-client); otherwise an already reachable cluster is used.
const script = new URL("./slurm_one_node.sh", import.meta.url).pathname;
const run = async (cmd: string, args: string[], env?: Record<string, string>) => {
  try {
    // Bounded: a client facing a configured but stopped controller retries for a long time.
    const signal = AbortSignal.timeout(60_000);
    const out = await new Deno.Command(cmd, { args, env, stdout: "piped", stderr: "piped", signal })
      .output();
    return {
      code: out.code,
      stdout: new TextDecoder().decode(out.stdout),
      stderr: new TextDecoder().decode(out.stderr),
    };
  } catch {
    return { code: 127, stdout: "", stderr: `${cmd}: not found` };
  }
};
const onPath = (name: string) =>
  (Deno.env.get("PATH") ?? "").split(":").some((d) => {
    try {
      return Deno.statSync(`${d}/${name}`).isFile;
    } catch {
      return false;
    }
  });
const hasSbatch = onPath("sbatch");
const startOwn = Deno.env.get("CAPO_TEST_SLURM") === "1";
const reachable = hasSbatch && !startOwn && (await run("sinfo", ["-h"])).code === 0;
const reason = !hasSbatch
  ? "sbatch is not installed"
  : !startOwn && !reachable
  ? "no Slurm cluster is reachable; set CAPO_TEST_SLURM=1 to start a one-node one"
  : "";

Deno.test({
  name: `a two-arm grid through real Slurm gives the same results as the local executor${
    reason ? ` (skipped: ${reason})` : ""
  }`,
  ignore: reason !== "",
  sanitizeResources: false,
  fn: async () => {
    let env: Record<string, string> | undefined;
    if (startOwn) {
      const up = await run("bash", [script, "up"]);
      assert.equal(up.code, 0, up.stderr);
      const conf = (await Deno.readTextFile(up.stdout.trim())).match(/SLURM_CONF=(\S+)/)![1];
      env = { SLURM_CONF: conf };
    }
    try {
      const dir = await Deno.makeTempDir({ prefix: "capo-grid-slurm-" });
      const arms = (sub: string) =>
        [0, 1].map((i) => ({
          label: `arm${i}`,
          argv: [
            Deno.execPath(),
            "eval",
            `await Deno.writeTextFile("out${i}.txt", String(6 * ${i + 1}))`,
          ],
          cwd: `${dir}/${sub}`,
        }));
      await Deno.mkdir(`${dir}/slurm`);
      await Deno.mkdir(`${dir}/local`);
      const exec: Exec = (cmd, args) => run(cmd, args, env);
      const progress: string[] = [];
      const slurm = await runGridSlurm(arms("slurm"), {
        workDir: `${dir}/grid`,
        exec,
        pollMs: 200,
        timeoutMs: 120_000,
        onProgress: (p) => progress.push(`${p.pending}/${p.running}/${p.completed}/${p.failed}`),
      });
      const local = await runGridLocal(arms("local"), { logDir: `${dir}/local-logs` });
      const table = (r: typeof local) =>
        r.arms.map((a) => [a.label, a.exitCode, a.state, a.attempts]);
      assert.deepEqual(table(slurm), table(local));
      assert.deepEqual(table(slurm), [["arm0", 0, "COMPLETED", 1], ["arm1", 0, "COMPLETED", 1]]);
      for (const sub of ["slurm", "local"]) {
        assert.equal(await Deno.readTextFile(`${dir}/${sub}/out0.txt`), "6");
        assert.equal(await Deno.readTextFile(`${dir}/${sub}/out1.txt`), "12");
      }
      assert.equal(progress.at(-1), "0/0/2/0");
      console.log(
        `slurm job ${slurm.jobIds[0]}: ${progress.join(" → ")} in ${Math.round(slurm.wallMs)} ms`,
      );
    } finally {
      if (startOwn) await run("bash", [script, "down"]);
    }
  },
});
