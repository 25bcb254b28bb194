// Tests lib/model/bench.ts on a tiny shape (the real figures come from `deno task bench`).
import assert from "node:assert/strict";
import { tf } from "../../lib/model/mod.ts";
import { benchModel } from "../../lib/model/bench.ts";

Deno.test("benchModel reports train-step and sampling figures and restores the backend", async () => {
  await tf.setBackend("cpu");
  const lines: string[] = [];
  const result = await benchModel({
    backends: ["cpu"],
    batch: 2,
    length: 8,
    nEmbd: 8,
    nLayer: 1,
    nHead: 2,
    vocabSize: 11,
    steps: 1,
    sampleBatch: 2,
    sampleLength: 6,
    onProgress: (line) => lines.push(line),
  });
  const [cpu] = result.backends;
  assert.equal(cpu.started, true);
  assert.ok(cpu.trainStepSeconds! > 0 && cpu.trainStepCpuSeconds! > 0);
  assert.ok(cpu.kvTokensPerSecond! > 0 && cpu.noKvTokensPerSecond! > 0);
  const ratio = cpu.kvTokensPerSecond! / cpu.noKvTokensPerSecond!;
  assert.ok(Math.abs(cpu.kvSpeedup! - ratio) < 1e-9 * ratio);
  assert.equal(result.shape.batch, 2);
  assert.equal(lines.length, 2);
  assert.equal(tf.getBackend(), "cpu");
});
