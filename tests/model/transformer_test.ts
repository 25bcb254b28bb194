// Tests lib/model/transformer.ts against a plain-loop reference on a tiny model, plus leak checks.
import assert from "node:assert/strict";
import {
  createPolicy,
  DEFAULT_POLICY_CONFIG,
  type Policy,
  type PolicyConfig,
  tf,
  tokenLogProbs,
} from "../../lib/model/mod.ts";

const TINY: PolicyConfig = { vocabSize: 7, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 8, seed: 3 };

type Mat = number[][];
function weights(policy: Policy): Record<string, { v: number[]; shape: number[] }> {
  const out: Record<string, { v: number[]; shape: number[] }> = {};
  for (const [name, w] of Object.entries(policy.params)) {
    out[name] = { v: Array.from(w.dataSync()), shape: w.shape };
  }
  return out;
}
const mat = (w: { v: number[]; shape: number[] }): Mat =>
  Array.from({ length: w.shape[0] }, (_, i) => w.v.slice(i * w.shape[1], (i + 1) * w.shape[1]));
const matVec = (x: number[], m: Mat): number[] =>
  m[0].map((_, j) => x.reduce((s, xi, i) => s + xi * m[i][j], 0));
const addVec = (a: number[], b: number[]) => a.map((x, i) => x + b[i]);
function layerNorm(x: number[], g: number[], b: number[]): number[] {
  const mean = x.reduce((s, v) => s + v, 0) / x.length;
  const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length;
  return x.map((v, i) => ((v - mean) / Math.sqrt(variance + 1e-5)) * g[i] + b[i]);
}
const gelu = (x: number) =>
  0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));

/** Plain-loop forward pass of one sequence: logits [T][V]. */
function referenceLogits(policy: Policy, ids: number[]): Mat {
  const w = weights(policy);
  const { nLayer, nHead, nEmbd: c, tieHead } = policy.config;
  const d = c / nHead;
  const wte = mat(w.wte);
  const wpe = mat(w.wpe);
  let xs = ids.map((id, t) => addVec(wte[id], wpe[t]));
  for (let l = 0; l < nLayer; l++) {
    const p = (n: string) => w[`h.${l}.${n}`];
    const h = xs.map((x) => layerNorm(x, p("ln1.g").v, p("ln1.b").v));
    const qkv = h.map((x) => addVec(matVec(x, mat(p("attn.wqkv"))), p("attn.bqkv").v));
    const attnOut = xs.map((_, t) => {
      const merged: number[] = [];
      for (let head = 0; head < nHead; head++) {
        const q = qkv[t].slice(head * d, (head + 1) * d);
        const scores = [];
        for (let j = 0; j <= t; j++) {
          const k = qkv[j].slice(c + head * d, c + (head + 1) * d);
          scores.push(q.reduce((s, qi, i) => s + qi * k[i], 0) / Math.sqrt(d));
        }
        const m = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - m));
        const z = e.reduce((a, b) => a + b, 0);
        const y = new Array(d).fill(0);
        for (let j = 0; j <= t; j++) {
          const v = qkv[j].slice(2 * c + head * d, 2 * c + (head + 1) * d);
          for (let i = 0; i < d; i++) y[i] += (e[j] / z) * v[i];
        }
        merged.push(...y);
      }
      return addVec(matVec(merged, mat(p("attn.wo"))), p("attn.bo").v);
    });
    xs = xs.map((x, t) => addVec(x, attnOut[t]));
    xs = xs.map((x) => {
      const m = layerNorm(x, p("ln2.g").v, p("ln2.b").v);
      const hidden = addVec(matVec(m, mat(p("mlp.w1"))), p("mlp.b1").v).map(gelu);
      return addVec(x, addVec(matVec(hidden, mat(p("mlp.w2"))), p("mlp.b2").v));
    });
  }
  const head = tieHead ? wte[0].map((_, j) => wte.map((row) => row[j])) : mat(w.head);
  return xs.map((x) => matVec(layerNorm(x, w["lnf.g"].v, w["lnf.b"].v), head));
}

function assertClose(actual: number[], expected: number[], tol: number, what: string) {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((a, i) =>
    assert.ok(Math.abs(a - expected[i]) <= tol, `${what}[${i}]: ${a} vs ${expected[i]}`)
  );
}

function randomizeBiases(policy: Policy) {
  // Fresh policies have zero biases and unit gains; perturb them so the reference checks them too.
  let k = 1;
  for (const [name, v] of Object.entries(policy.params)) {
    if (v.rank === 1) {
      const values = Array.from({ length: v.size }, (_, i) => Math.sin(k * 7 + i) * 0.3);
      tf.tidy(() => v.assign(tf.tensor1d(values)));
      k++;
      assert.ok(name);
    }
  }
}

Deno.test("transformer logits and tokenLogProbs match a plain-loop reference", () => {
  for (const tieHead of [false, true]) {
    const policy = createPolicy({ ...TINY, tieHead });
    randomizeBiases(policy);
    const rows = [[1, 4, 2, 6, 0], [3, 3, 5, 1, 2]];
    const ids = tf.tensor2d(rows, [2, 5], "int32");
    const logits = policy.logits(ids);
    const got = logits.arraySync();
    const { logProbs, entropy } = tokenLogProbs(policy, ids);
    const lp = logProbs.arraySync();
    const ent = entropy.arraySync();
    rows.forEach((row, b) => {
      const ref = referenceLogits(policy, row);
      ref.forEach((r, t) => assertClose(got[b][t], r, 1e-4, `logits[${b}][${t}]`));
      for (let t = 0; t < row.length - 1; t++) {
        const m = Math.max(...ref[t]);
        const logZ = m + Math.log(ref[t].reduce((s, x) => s + Math.exp(x - m), 0));
        assert.ok(Math.abs(lp[b][t] - (ref[t][row[t + 1]] - logZ)) < 1e-4, `logProb ${b},${t}`);
        const h = -ref[t].reduce((s, x) => s + Math.exp(x - logZ) * (x - logZ), 0);
        assert.ok(Math.abs(ent[b][t] - h) < 1e-4, `entropy ${b},${t}`);
      }
    });
    tf.dispose([ids, logits, logProbs, entropy]);
    policy.dispose();
  }
});

Deno.test("createPolicy is seeded and validates its config", () => {
  const a = createPolicy(TINY);
  const b = createPolicy(TINY);
  const c = createPolicy({ ...TINY, seed: 4 });
  assert.deepEqual(Array.from(a.params.wte.dataSync()), Array.from(b.params.wte.dataSync()));
  assert.notDeepEqual(Array.from(a.params.wte.dataSync()), Array.from(c.params.wte.dataSync()));
  [a, b, c].forEach((p) => p.dispose());
  assert.throws(() => createPolicy({ ...TINY, nHead: 3 }), RangeError);
  assert.throws(() => createPolicy({ ...TINY, nLayer: 0 }), RangeError);
  assert.ok(Object.isFrozen(DEFAULT_POLICY_CONFIG));
  const p = createPolicy(TINY);
  const ids = tf.zeros([1, 9], "int32") as tf.Tensor2D;
  assert.throws(() => p.logits(ids), /blockSize/);
  ids.dispose();
  p.dispose();
});

Deno.test("logits, tokenLogProbs and an Adam train step leak no tensors", () => {
  const policy = createPolicy(TINY);
  const ids = tf.tensor2d([[1, 2, 3, 4], [4, 3, 2, 1]], [2, 4], "int32");
  const optimizer = tf.train.adam(1e-2);
  const step = () => {
    tf.dispose(policy.logits(ids));
    const { logProbs, entropy } = tokenLogProbs(policy, ids);
    tf.dispose([logProbs, entropy]);
    const cost = optimizer.minimize(
      () => {
        const out = tokenLogProbs(policy, ids);
        return tf.neg(tf.mean(out.logProbs));
      },
      true,
      policy.variables,
    );
    cost?.dispose();
  };
  step(); // burn in (Adam creates its slots on the first step)
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) step();
  assert.equal(tf.memory().numTensors, before);
  optimizer.dispose();
  ids.dispose();
  policy.dispose();
});

Deno.test("training lowers the loss on a repeated sequence", () => {
  const policy = createPolicy(TINY);
  const ids = tf.tensor2d([[1, 2, 3, 4, 5, 6]], [1, 6], "int32");
  const optimizer = tf.train.adam(3e-2);
  const loss = () => {
    const out = tokenLogProbs(policy, ids);
    return tf.neg(tf.mean(out.logProbs)) as tf.Scalar;
  };
  const first = tf.tidy(() => loss().dataSync()[0]);
  for (let i = 0; i < 20; i++) optimizer.minimize(loss, false, policy.variables);
  const last = tf.tidy(() => loss().dataSync()[0]);
  assert.ok(last < first * 0.5, `loss ${first} → ${last}`);
  optimizer.dispose();
  ids.dispose();
  policy.dispose();
});

Deno.test("policy gradients (custom dense/affine/matMul gradients) match finite differences", () => {
  const policy = createPolicy({ ...TINY, nLayer: 1 });
  randomizeBiases(policy);
  const ids = tf.tensor2d([[1, 4, 2, 6, 0], [3, 3, 5, 1, 2]], [2, 5], "int32");
  const loss = () =>
    tf.tidy(() => {
      const { logProbs, entropy } = tokenLogProbs(policy, ids);
      return tf.add(tf.sum(logProbs), tf.mul(tf.sum(entropy), 0.3)) as tf.Scalar;
    });
  const { grads } = tf.variableGrads(loss, policy.variables);
  const names = Object.keys(policy.params);
  for (const name of names) {
    const v = policy.params[name];
    const analytic = grads[v.name].dataSync();
    const values = v.dataSync().slice();
    for (const i of [0, Math.floor(values.length / 2), values.length - 1]) {
      const at = (delta: number) => {
        const bumped = values.slice();
        bumped[i] += delta;
        tf.tidy(() => v.assign(tf.tensor(bumped, v.shape)));
        return loss().dataSync()[0];
      };
      const eps = 1e-2;
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      tf.tidy(() => v.assign(tf.tensor(values, v.shape)));
      assert.ok(
        Math.abs(numeric - analytic[i]) < 1e-3 + 0.01 * Math.abs(numeric),
        `${name}[${i}]: analytic ${analytic[i]} vs numeric ${numeric}`,
      );
    }
  }
  tf.dispose(Object.values(grads));
  ids.dispose();
  policy.dispose();
});
