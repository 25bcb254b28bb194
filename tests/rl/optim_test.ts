import assert from "node:assert/strict";
import { tf } from "../../lib/model/mod.ts";
import { Adam, clipByGlobalNorm } from "../../lib/rl/optim.ts";

await tf.setBackend("cpu");

Deno.test("clipByGlobalNorm scales down only above the limit", () => {
  tf.tidy(() => {
    const { grads, norm } = clipByGlobalNorm([tf.tensor1d([3]), tf.tensor1d([4])], 1);
    assert.ok(Math.abs(norm.dataSync()[0] - 5) < 1e-6);
    assert.deepEqual(grads.map((g) => Math.round(g.dataSync()[0] * 1e6) / 1e6), [0.6, 0.8]);
    const small = clipByGlobalNorm([tf.tensor1d([0.3, 0.4])], 1);
    assert.deepEqual(Array.from(small.grads[0].dataSync()).map((x) => Math.round(x * 1e6) / 1e6), [
      0.3,
      0.4,
    ]);
  });
});

function adamReference(grads: number[], lr: number, x0: number): number {
  let [x, m, v] = [x0, 0, 0];
  grads.forEach((g, i) => {
    m = 0.9 * m + 0.1 * g;
    v = 0.999 * v + 0.001 * g * g;
    const mHat = m / (1 - 0.9 ** (i + 1));
    const vHat = v / (1 - 0.999 ** (i + 1));
    x -= lr * mHat / (Math.sqrt(vHat) + 1e-8);
  });
  return x;
}

Deno.test("Adam matches the textbook update and resumes exactly from its state", async () => {
  const grads = [0.5, -1, 2, 0.1];
  const w = tf.variable(tf.tensor1d([1]));
  const empty = tf.memory().numTensors;
  new Adam([w]).dispose();
  assert.equal(tf.memory().numTensors, empty, "construct + dispose leaves no tensor");
  const adam = new Adam([w], { learningRate: 0.1 });
  for (const g of grads.slice(0, 2)) tf.tidy(() => adam.apply([tf.tensor1d([g])]));
  const state = await adam.getState();
  const saved = await w.data();
  for (const g of grads.slice(2)) tf.tidy(() => adam.apply([tf.tensor1d([g])]));
  const straight = (await w.data())[0];
  assert.ok(Math.abs(straight - adamReference(grads, 0.1, 1)) < 1e-5);

  const w2 = tf.variable(tf.tensor1d(saved));
  const resumed = new Adam([w2], { learningRate: 0.1 });
  resumed.setState(state);
  for (const g of grads.slice(2)) tf.tidy(() => resumed.apply([tf.tensor1d([g])]));
  assert.equal((await w2.data())[0], straight);
  assert.equal(resumed.step, 4);
  const before = tf.memory().numTensors;
  tf.tidy(() => resumed.apply([tf.tensor1d([1])]));
  assert.equal(tf.memory().numTensors, before);
  for (const x of [w, w2]) x.dispose();
  adam.dispose();
  resumed.dispose();
});
