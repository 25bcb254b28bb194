// `deno task train` against a separately started `deno task critic:serve` (same noise and seed) gives
// the same numbers as the in-process default critic: pointing `critic.baseUrl` at an endpoint is a
// config change, never a code change.
import assert from "node:assert/strict";
import { loadRun, readRollouts } from "../../lib/lineage/mod.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const TINY = [
  "--rl.iterations=2",
  "--rl.batchPrompts=2",
  "--rl.n=2",
  "--rl.minibatch=4",
  "--rl.checkpointEvery=0",
  "--eval.limit=8",
  "--sampledEval.samples=0",
  "--critic.k=2",
];

async function train(runsDir: string, extra: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "lib/cli/train.ts", `--runs-dir=${runsDir}`, ...TINY, ...extra],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
  }).output();
  const stdout = new TextDecoder().decode(out.stdout).trim().split("\n");
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return await loadRun(stdout.at(-1)!);
}

Deno.test("train against a separately started critic:serve gives the in-process numbers", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "capo-endpoint-" });
  const server = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "lib/cli/critic_serve.ts",
      "--port=0",
      "--noise-false-flag=0.1",
      "--noise-missed-flag=0.2",
      "--seed=0",
    ],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  try {
    const reader = server.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    while (!/http:\/\/127\.0\.0\.1:\d+\/v1/.test(seen)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`critic:serve ended before printing its URL: ${seen}`);
      seen += value;
    }
    reader.releaseLock();
    const baseUrl = /http:\/\/127\.0\.0\.1:\d+\/v1/.exec(seen)![0];
    const inProcess = await train(`${tmp}/a`, []);
    const remote = await train(`${tmp}/b`, [`--critic.baseUrl=${baseUrl}`]);
    assert.equal(inProcess.critic?.endpoint_kind, "reference");
    assert.equal(remote.critic?.endpoint_kind, "openai-compatible");
    assert.equal(remote.critic?.base_url, baseUrl);
    const strip = (s: Record<string, unknown> | null) => {
      const { seconds: _s, ...rest } = s ?? {};
      return rest;
    };
    assert.deepEqual(strip(remote.summary), strip(inProcess.summary));
    const rows = async (id: string, dir: string) =>
      (await readRollouts(`${dir}/${id}/rollouts.jsonl.gz`)).rows;
    const a = await rows(inProcess.id, `${tmp}/a`);
    assert.ok(
      a.some((r) => (r.votedWrongSteps as number[]).length > 0),
      "the critic flagged steps",
    );
    assert.deepEqual(await rows(remote.id, `${tmp}/b`), a);
  } finally {
    server.kill("SIGTERM");
    await server.status;
    await server.stderr.cancel();
    await server.stdout.cancel().catch(() => {});
    await Deno.remove(tmp, { recursive: true });
  }
});
