// Tests lib/model/checkpoint.ts: safetensors layout, bit-identical round trip, hash checks.
import assert from "node:assert/strict";
import {
  createPolicy,
  decodeSafetensors,
  encodeSafetensors,
  loadCheckpoint,
  readCheckpointConfig,
  saveCheckpoint,
  tf,
} from "../../lib/model/mod.ts";
import { sha256Hex } from "../../lib/util/mod.ts";

const CONFIG = { vocabSize: 11, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8, seed: 21 };

Deno.test("safetensors bytes follow the format: LE header length, JSON offsets, LE float32 data", () => {
  const bytes = encodeSafetensors([
    { name: "a", shape: [2], data: new Float32Array([1.5, -2]) },
    { name: "b", shape: [1, 1], data: new Float32Array([3]) },
  ], { note: "x" });
  const view = new DataView(bytes.buffer);
  const n = Number(view.getBigUint64(0, true));
  assert.equal(n % 8, 0);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  assert.deepEqual(header.a, { dtype: "F32", shape: [2], data_offsets: [0, 8] });
  assert.deepEqual(header.b, { dtype: "F32", shape: [1, 1], data_offsets: [8, 12] });
  assert.deepEqual(header.__metadata__, { note: "x" });
  assert.equal(view.getFloat32(8 + n + 4, true), -2);
  assert.equal(bytes.length, 8 + n + 12);
  const { tensors } = decodeSafetensors(bytes);
  assert.deepEqual(Array.from(tensors.a.data), [1.5, -2]);
  assert.throws(() => decodeSafetensors(bytes.subarray(0, 20)), SyntaxError);
});

Deno.test("checkpoint round trip restores bit-identical logits and reports file hashes", async () => {
  const dir = await Deno.makeTempDir();
  const policy = createPolicy({ ...CONFIG, tieHead: true });
  // Train one step so the weights are not just the seeded init.
  const ids = tf.tensor2d([[1, 2, 3, 4, 5]], [1, 5], "int32");
  const optimizer = tf.train.adam(0.1);
  optimizer.minimize(() => tf.mean(policy.logits(ids)) as tf.Scalar, false, policy.variables);
  const { files } = await saveCheckpoint(policy, dir, { step: 7 });
  assert.deepEqual(files.map((f) => f.path), [`${dir}/model.safetensors`, `${dir}/config.json`]);
  for (const file of files) {
    const bytes = await Deno.readFile(file.path);
    assert.equal(file.bytes, bytes.length);
    assert.equal(file.sha256, await sha256Hex(bytes));
  }
  assert.equal((await readCheckpointConfig(dir)).meta.step, 7);
  const loaded = await loadCheckpoint(dir);
  assert.deepEqual(loaded.config, policy.config);
  const before = policy.logits(ids);
  const after = loaded.logits(ids);
  const bitsBefore = new Uint32Array((await before.data() as Float32Array).buffer);
  const bitsAfter = new Uint32Array((await after.data() as Float32Array).buffer);
  assert.deepEqual(bitsAfter, bitsBefore);
  tf.dispose([ids, before, after]);
  optimizer.dispose();
  policy.dispose();
  loaded.dispose();
  // A corrupted weights file is rejected by its recorded hash.
  const path = `${dir}/model.safetensors`;
  const bytes = await Deno.readFile(path);
  bytes[bytes.length - 1] ^= 1;
  await Deno.writeFile(path, bytes);
  await assert.rejects(() => loadCheckpoint(dir), /sha256/);
  await Deno.remove(dir, { recursive: true });
});
