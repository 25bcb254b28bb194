import assert from "node:assert/strict";
import { tf } from "../../lib/model/mod.ts";
import {
  aggregateLoss,
  AGGREGATION_MODES,
  type AggregationMode,
  klPenalty,
  policyLoss,
} from "../../lib/rl/losses.ts";

await tf.setBackend("cpu");

const LOGP = [[-1.0, -0.5, -2.0], [-0.3, -1.2, -0.9]];
const OLD = [[-1.1, -0.9, -1.5], [-0.3, -1.0, -2.5]];
const REF = [[-1.3, -0.4, -1.8], [-0.6, -1.1, -0.7]];
const ADV = [[1.0, 2.0, -0.5], [-1.0, 1.5, 0]];
const MASK = [[1, 1, 1], [1, 1, 0]];
const ENT = [[0.7, 0.2, 1.1], [0.4, 0.9, 3.0]];

function refAggregate(v: number[][], m: number[][], mode: AggregationMode): number {
  const rows = v.map((row, b) => row.reduce((s, x, t) => s + x * m[b][t], 0));
  const counts = m.map((row) => row.reduce((a, c) => a + c, 0));
  const total = rows.reduce((a, c) => a + c, 0);
  if (mode === "token-mean") return total / counts.reduce((a, c) => a + c, 0);
  if (mode === "seq-mean-token-sum") return total / v.length;
  if (mode === "seq-mean-token-mean") {
    return rows.reduce((a, r, b) => a + r / counts[b], 0) / v.length;
  }
  return total / (v.length * v[0].length);
}

function refKl(p: number, q: number, k: string): number {
  if (k === "k1") return p - q;
  if (k === "k2") return 0.5 * (p - q) ** 2;
  return Math.exp(q - p) - (q - p) - 1;
}

function refPpo(mode: AggregationMode, lo: number, hi: number, klCoef: number, entCoef: number) {
  const per = LOGP.map((row, b) =>
    row.map((lp, t) => {
      const ratio = Math.exp(lp - OLD[b][t]);
      const clipped = Math.min(Math.max(ratio, 1 - lo), 1 + hi);
      return Math.max(-ADV[b][t] * ratio, -ADV[b][t] * clipped);
    })
  );
  const kl = LOGP.map((row, b) => row.map((lp, t) => refKl(lp, REF[b][t], "k3")));
  return refAggregate(per, MASK, mode) + klCoef * refAggregate(kl, MASK, mode) -
    entCoef * refAggregate(ENT, MASK, mode);
}

function close(a: number, b: number, what: string, tol = 1e-5): void {
  assert.ok(Math.abs(a - b) <= tol, `${what}: expected ${b}, got ${a}`);
}

Deno.test("aggregateLoss matches a plain-loop reference in every mode", () => {
  const values = [[1, 2, 3], [4, 5, 6]];
  tf.tidy(() => {
    for (const mode of AGGREGATION_MODES) {
      const got = aggregateLoss(tf.tensor2d(values), tf.tensor2d(MASK), mode).dataSync()[0];
      close(got, refAggregate(values, MASK, mode), mode);
    }
  });
  assert.throws(
    () =>
      tf.tidy(() => aggregateLoss(tf.zeros([1, 1]), tf.zeros([1, 1]), "sum" as AggregationMode)),
    /expected mode one of token-mean/,
  );
});

Deno.test("klPenalty implements k1, k2 and k3", () => {
  tf.tidy(() => {
    for (const k of ["k1", "k2", "k3"] as const) {
      const got = klPenalty(tf.tensor2d(LOGP), tf.tensor2d(REF), k).arraySync();
      got.forEach((row, b) => row.forEach((x, t) => close(x, refKl(LOGP[b][t], REF[b][t], k), k)));
    }
  });
});

Deno.test("ppo_clip matches a plain-loop reference with separate clip bounds, KL and entropy", () => {
  const cases: [AggregationMode, number, number, number, number][] = [
    ["token-mean", 0.2, 0.2, 0, 0],
    ["seq-mean-token-sum", 0.1, 0.28, 0, 0],
    ["seq-mean-token-mean", 0.2, 0.3, 0.05, 0],
    ["seq-mean-token-sum-norm", 0.2, 0.2, 0.1, 0.01],
  ];
  for (const [aggregation, clipLow, clipHigh, klCoef, entropyCoef] of cases) {
    tf.tidy(() => {
      const { loss, metrics } = policyLoss("ppo_clip", {
        logProbs: tf.tensor2d(LOGP),
        oldLogProbs: tf.tensor2d(OLD),
        advantages: tf.tensor2d(ADV),
        mask: tf.tensor2d(MASK),
        refLogProbs: tf.tensor2d(REF),
        entropy: tf.tensor2d(ENT),
      }, { aggregation, clipLow, clipHigh, klCoef, entropyCoef });
      close(
        loss.dataSync()[0],
        refPpo(aggregation, clipLow, clipHigh, klCoef, entropyCoef),
        aggregation,
      );
      assert.ok(metrics.clip_fraction.dataSync()[0] > 0, "some token was clipped");
      assert.equal("kl" in metrics, klCoef > 0);
    });
  }
});

Deno.test("ppo_clip is unclipped at ratio 1 and its gradient is −A per token", () => {
  const logp = tf.variable(tf.tensor2d(OLD));
  const { value, grads } = tf.variableGrads(() => {
    const { loss, metrics } = policyLoss("ppo_clip", {
      logProbs: logp as unknown as tf.Tensor2D,
      oldLogProbs: tf.tensor2d(OLD),
      advantages: tf.tensor2d(ADV),
      mask: tf.tensor2d(MASK),
    }, { aggregation: "seq-mean-token-sum" });
    for (const m of Object.values(metrics)) m.dispose();
    return loss;
  }, [logp]);
  const g = grads[logp.name].arraySync() as number[][];
  g.forEach((row, b) =>
    row.forEach((x, t) => close(x, -ADV[b][t] * MASK[b][t] / 2, `grad ${b},${t}`))
  );
  value.dispose();
  grads[logp.name].dispose();
  logp.dispose();
});

Deno.test("policyLoss rejects unknown names and missing inputs", () => {
  const t = () => tf.zeros([1, 1]) as tf.Tensor2D;
  const input = () => ({ logProbs: t(), oldLogProbs: t(), advantages: t(), mask: t() });
  tf.tidy(() => {
    assert.throws(
      () => policyLoss("grpo_loss", input()),
      /expected one of ppo_clip, got "grpo_loss"/,
    );
    assert.throws(() => policyLoss("ppo_clip", input(), { klCoef: 0.1 }), /refLogProbs/);
    assert.throws(() => policyLoss("ppo_clip", input(), { entropyCoef: 0.1 }), /entropy/);
  });
});

Deno.test("policy losses and aggregateLoss leak no tensors", () => {
  const inputs = {
    logProbs: tf.tensor2d(LOGP),
    oldLogProbs: tf.tensor2d(OLD),
    advantages: tf.tensor2d(ADV),
    mask: tf.tensor2d(MASK),
    refLogProbs: tf.tensor2d(REF),
    entropy: tf.tensor2d(ENT),
  };
  const once = () => {
    const { loss, metrics } = policyLoss("ppo_clip", inputs, { klCoef: 0.1, entropyCoef: 0.01 });
    loss.dispose();
    for (const m of Object.values(metrics)) m.dispose();
    aggregateLoss(inputs.logProbs, inputs.mask, "seq-mean-token-mean").dispose();
    klPenalty(inputs.logProbs, inputs.refLogProbs, "k2").dispose();
  };
  once();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) once();
  assert.equal(tf.memory().numTensors, before);
  for (const x of Object.values(inputs)) x.dispose();
});
