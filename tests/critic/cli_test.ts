import assert from "node:assert/strict";
import { startFaultyServer } from "./_faulty_server.ts";
import { hasSharedData, sharedDataPath } from "../_shared_data.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const BBM = sharedDataPath("big-bench-mistake/multistep_arithmetic.jsonl");
const HAS_BBM = hasSharedData("big-bench-mistake/multistep_arithmetic.jsonl");

async function run(file: string, args: string[]) {
  const started = performance.now();
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", file, ...args],
    cwd: ROOT,
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code, stdout: decode(stdout), stderr: decode(stderr), ms: performance.now() - started };
}

function assertOneLineError(stderr: string): void {
  const lines = stderr.trim().split("\n");
  assert.equal(lines.length, 1, stderr);
  assert.doesNotMatch(stderr, /^\s+at /m, "no stack trace");
}

Deno.test({
  name: "critic:eval scores BIG-Bench-Mistake with its own reference server and writes JSON",
  ignore: !HAS_BBM,
}, async () => {
  const out = `${await Deno.makeTempDir()}/eval.json`;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "lib/cli/critic_eval.ts",
      BBM,
      "--k",
      "1,2",
      "--rules",
      "majority,union",
      "--out",
      out,
    ],
    cwd: ROOT,
  }).output();
  const text = new TextDecoder().decode(stdout);
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  assert.match(text, /\| majority \| 1 \|/);
  const { results } = JSON.parse(await Deno.readTextFile(out));
  assert.equal(results.length, 4);
  for (const r of results) {
    assert.deepEqual(Object.keys(r).sort(), [
      "f1",
      "first_error_accuracy",
      "k",
      "n",
      "precision",
      "recall",
      "rule",
    ]);
    assert.equal(r.n, 300);
    assert.ok(r.f1 > 0.9);
  }
  await Deno.remove(out);
});

Deno.test("critic:eval reads synthetic labelled JSONL", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/synthetic.jsonl`;
  await Deno.writeTextFile(
    file,
    [
      {
        question: "7+5*3",
        response: "7+5=12\n\n12*3=37\n\n\\boxed{37}",
        step_labels: [true, false, false],
      },
      { question: "2+2", response: "2+2=4\n\n\\boxed{4}", step_labels: [true, true] },
    ].map((r) => JSON.stringify(r)).join("\n") + "\n",
  );
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "lib/cli/critic_eval.ts",
      file,
      "--format",
      "synthetic",
      "--k",
      "1",
      "--rules",
      "union",
    ],
    cwd: ROOT,
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  assert.match(
    new TextDecoder().decode(stdout),
    /\| union \| 1 \| 1\.000 \| 1\.000 \| 1\.000 \| 1\.000 \| 2 \|/,
  );
  await Deno.remove(dir, { recursive: true });
});

const SYNTHETIC = ["--format", "synthetic", "--size", "4", "--k", "1", "--rules", "union"];

Deno.test("critic:eval ends with one line and exit 1 when the endpoint refuses connections", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const url = `http://127.0.0.1:${port}/v1`;
  const { code, stderr, ms } = await run("lib/cli/critic_eval.ts", [
    ...SYNTHETIC,
    "--base-url",
    url,
  ]);
  assert.equal(code, 1);
  assertOneLineError(stderr);
  assert.match(stderr, new RegExp(`connection refused`));
  assert.ok(stderr.includes(`127.0.0.1:${port}/v1`), stderr);
  assert.ok(ms < 30_000, `took ${ms} ms`);
});

Deno.test("critic:eval --timeout-ms bounds a silent endpoint and exits 1 when every request failed", async () => {
  const server = await startFaultyServer();
  try {
    const { code, stdout, stderr } = await run("lib/cli/critic_eval.ts", [
      ...SYNTHETIC,
      "--base-url",
      `${server.url}/hang/v1`,
      "--timeout-ms",
      "300",
      "--max-attempts",
      "2",
    ]);
    assert.equal(code, 1, stdout);
    const error = stderr.trim().split("\n").at(-1)!;
    assert.match(error, /^critic:eval: Every critic request failed \(8 requests; timeout 8\)/);
    assert.equal(server.requests("hang"), 8, "4 responses x 2 attempts");
    assert.doesNotMatch(stderr, /^\s+at /m);
  } finally {
    await server.close();
  }
});

Deno.test("the critic commands answer --help and refuse bad arguments with one line and exit 2", async () => {
  for (
    const file of ["lib/cli/critic_eval.ts", "lib/cli/critic_serve.ts", "lib/cli/critic_parse.ts"]
  ) {
    const help = await run(file, ["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: deno task critic:/);
    const bad = await run(file, ["--no-such-flag"]);
    assert.equal(bad.code, 2);
    assertOneLineError(bad.stderr);
  }
  const badK = await run("lib/cli/critic_eval.ts", [...SYNTHETIC, "--k", "zero"]);
  assert.equal(badK.code, 2);
  assertOneLineError(badK.stderr);
  const badRule = await run("lib/cli/critic_eval.ts", [...SYNTHETIC, "--rules", "toString"]);
  assert.equal(badRule.code, 2);
  assert.match(badRule.stderr, /union, intersection, majority/);
});

Deno.test("critic:serve on a port in use prints one line and exits 1", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  try {
    const { code, stderr } = await run("lib/cli/critic_serve.ts", ["--port", String(port)]);
    assert.equal(code, 1);
    assertOneLineError(stderr);
    assert.match(stderr, new RegExp(`127\\.0\\.0\\.1:${port}: the port is in use`));
  } finally {
    listener.close();
  }
});
