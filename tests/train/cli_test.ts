// The `sft` and `train` CLIs (lib/cli/sft.ts, lib/cli/train.ts) as subprocesses: bad arguments exit
// with code 2 and a message naming what was wrong, before any run record is written; a tiny SFT run
// writes its checkpoint, lineage.json and run record, and prints the record's path last.
import assert from "node:assert/strict";
import { sha256Hex } from "../../lib/util/mod.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

async function cli(script: string, args: string[]) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `lib/cli/${script}`, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code, stdout: decode(stdout), stderr: decode(stderr) };
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

Deno.test("train CLI rejects an unknown config key by name, exit 2, before starting a run", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "capo-cli-" });
  try {
    const runs = `${tmp}/runs`;
    const override = await cli("train.ts", ["--rl.lrr=1e-3", "--runs-dir", runs]);
    assert.equal(override.code, 2);
    assert.match(override.stderr, /unknown key "rl\.lrr"/);
    assert.match(override.stderr, /see: deno task train --help/);
    assert.doesNotMatch(override.stderr, /\n\s+at /, "no stack trace");
    await Deno.writeTextFile(`${tmp}/bad.yaml`, "rl:\n  estimator: capo\n  bogusKey: 1\n");
    const file = await cli("train.ts", ["--config", `${tmp}/bad.yaml`, "--runs-dir", runs]);
    assert.equal(file.code, 2);
    assert.match(file.stderr, /bad\.yaml:3: .*unknown key "rl\.bogusKey"/);
    const value = await cli("train.ts", ["--rl.estimator=nope", "--runs-dir", runs]);
    assert.equal(value.code, 2);
    assert.match(value.stderr, /rl\.estimator/);
    assert.equal(await exists(runs), false, "no run record for a rejected config");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("train CLI refuses to resume from a folder that is not a run, exit 2", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "capo-cli-" });
  try {
    const { code, stderr } = await cli("train.ts", [
      "--resume",
      `${tmp}/runs/no-such-run`,
      "--runs-dir",
      `${tmp}/runs`,
    ]);
    assert.equal(code, 2);
    assert.match(
      stderr,
      /Cannot resume from .*no-such-run: expected a run folder holding run\.json/,
    );
    assert.equal(await exists(`${tmp}/runs`), false, "nothing written, no fresh run started");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("sft CLI rejects an unknown option or a non-number by name, exit 2", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "capo-cli-" });
  try {
    const unknown = await cli("sft.ts", ["--stepz", "3", "--runs-dir", `${tmp}/runs`]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown option '--stepz'/);
    assert.match(unknown.stderr, /see: deno task sft --help/);
    const nan = await cli("sft.ts", ["--sft.steps=many", "--runs-dir", `${tmp}/runs`]);
    assert.equal(nan.code, 2);
    assert.match(nan.stderr, /sft\.steps.*integer.*"many"/);
    assert.equal(await exists(`${tmp}/runs`), false, "no run record for a rejected config");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("sft CLI writes a checkpoint, lineage.json and a run record whose path it prints last", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "capo-cli-" });
  try {
    const out = `${tmp}/sft`;
    // deno-fmt-ignore
    const args = [`--out=${out}`, "--sft.steps=2", "--sft.batchSize=2", "--policy.nEmbd=16",
      "--policy.nLayer=1", "--policy.nHead=2", "--policy.blockSize=64", "--task.trainSize=20",
      "--task.testSize=4", "--policy.seed=5", "--backend=cpu", "--runs-dir", `${tmp}/runs`];
    const { code, stdout, stderr } = await cli("sft.ts", args);
    assert.equal(code, 0, stderr);
    const lines = stdout.trim().split("\n");
    const recordPath = lines.at(-1)!;
    assert.match(recordPath, new RegExp(`^${tmp}/runs/[^/]+-sft-[0-9a-f]{6}/run\\.json$`));
    const printed = JSON.parse(lines.at(-2)!);
    const record = JSON.parse(await Deno.readTextFile(recordPath));
    assert.equal(record.status, "completed");
    assert.equal(record.kind, "sft");
    assert.deepEqual(record.summary, printed);
    assert.equal(record.summary.test_size, 4);
    assert.ok(Number.isFinite(record.summary.final_loss));
    assert.equal(record.seeds.policy, 5);

    const weights = await sha256Hex(await Deno.readFile(`${out}/model.safetensors`));
    const config = JSON.parse(await Deno.readTextFile(`${out}/config.json`));
    assert.deepEqual(
      [config.policy.nEmbd, config.policy.nLayer, config.policy.blockSize, config.policy.seed],
      [16, 1, 64, 5],
    );
    assert.equal(config.weightsSha256, weights);
    const lineage = JSON.parse(await Deno.readTextFile(`${out}/lineage.json`));
    assert.equal(lineage.run_id, record.id);
    assert.deepEqual(lineage.summary, record.summary);
    assert.equal(lineage.config.sft.steps, 2);
    assert.equal(
      lineage.files.find((f: { path: string }) => f.path === "model.safetensors")?.sha256,
      weights,
    );
    const artifact = record.artifacts.find((a: { path: string }) =>
      a.path.endsWith("/model.safetensors")
    );
    assert.equal(artifact?.kind, "checkpoint");
    assert.equal(artifact?.sha256, weights);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
