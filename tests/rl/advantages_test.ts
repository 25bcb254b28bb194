import assert from "node:assert/strict";
import {
  ADVANTAGE_ESTIMATORS,
  type AdvantageInput,
  computeAdvantages,
} from "../../lib/rl/advantages.ts";

function assertClose(actual: number[][][], expected: number[][][], tol = 1e-5): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((group, g) => {
    assert.equal(group.length, expected[g].length);
    group.forEach((resp, i) => {
      assert.equal(resp.length, expected[g][i].length, `length of [${g}][${i}]`);
      resp.forEach((a, t) => {
        assert.ok(
          Math.abs(a - expected[g][i][t]) <= tol,
          `[${g}][${i}][${t}]: expected ${expected[g][i][t]}, got ${a}`,
        );
      });
    });
  });
}

Deno.test("capo normalises over the pooled tokens of each group", () => {
  // pool [2, 1, 0, 0]: mean 0.75, population std sqrt(0.6875) = 0.8291562
  const s = Math.sqrt(0.6875);
  const got = ADVANTAGE_ESTIMATORS.capo({ groups: [[[2, 1], [0, 0]], [[1], [1]]] }, { epsilon: 0 });
  // the second group is constant: its advantages are 0, not NaN
  assertClose(got, [[[1.25 / s, 0.25 / s], [-0.75 / s, -0.75 / s]], [[0], [0]]]);
});

Deno.test("capo keeps per-token differences inside a group that grpo erases", () => {
  // Two right answers: one clean, one "lucky" with its middle step voted wrong (R = 2 − 1).
  const input: AdvantageInput = { groups: [[[2, 1, 2], [2, 2, 2]]], scores: [[2, 2]] };
  const capo = computeAdvantages("capo", input, { epsilon: 0 });
  const grpo = computeAdvantages("grpo", input, { epsilon: 0 });
  // pool [2,1,2,2,2,2]: mean 11/6, std sqrt(5)/6
  const s = Math.sqrt(5) / 6;
  assertClose(capo, [[[1 / 6 / s, -5 / 6 / s, 1 / 6 / s], [1 / 6 / s, 1 / 6 / s, 1 / 6 / s]]]);
  assert.ok(capo[0][0][1] < 0 && capo[0][0][0] > 0, "the flagged token is pushed down");
  assertClose(grpo, [[[0, 0, 0], [0, 0, 0]]]);
});

Deno.test("grpo normalises scalar rewards per group and broadcasts them", () => {
  const got = computeAdvantages("grpo", { groups: [[[2, 1], [0, 0]]] }, { epsilon: 0 });
  // scores = token means [1.5, 0]: mean 0.75, std 0.75
  assertClose(got, [[[1, 1], [-1, -1]]]);
  const withScores = computeAdvantages("grpo", {
    groups: [[[5], [5], [5, 5]]],
    scores: [[1, 0, 0]],
  });
  // mean 1/3, std sqrt(2)/3
  const s = Math.sqrt(2) / 3 + 1e-6;
  assertClose(withScores, [[[2 / 3 / s], [-1 / 3 / s], [-1 / 3 / s, -1 / 3 / s]]]);
});

Deno.test("dr_grpo, rloo and reinforce use their baselines", () => {
  const input: AdvantageInput = { groups: [[[0], [0], [0, 0]], [[0]]], scores: [[3, 1, 2], [5]] };
  assertClose(computeAdvantages("dr_grpo", input), [[[1], [-1], [0, 0]], [[0]]]);
  // rloo: 3 − (1+2)/2, 1 − (3+2)/2, 2 − (3+1)/2; a group of one gets 0
  assertClose(computeAdvantages("rloo", input), [[[1.5], [-1.5], [0, 0]], [[0]]]);
  // reinforce: batch mean (3+1+2+5)/4 = 2.75
  assertClose(computeAdvantages("reinforce", input), [[[0.25], [-1.75], [-0.75, -0.75]], [[2.25]]]);
});

Deno.test("every estimator keeps the shape of its input, empty responses included", () => {
  const input: AdvantageInput = { groups: [[[1, 2], [], [0]]] };
  for (const [name, estimator] of Object.entries(ADVANTAGE_ESTIMATORS)) {
    const got = estimator(input);
    assert.deepEqual(got.map((g) => g.map((r) => r.length)), [[2, 0, 1]], name);
    assert.ok(got.flat(2).every(Number.isFinite), name);
  }
});

Deno.test("computeAdvantages rejects an unknown estimator and lists the valid ones", () => {
  assert.throws(
    () => computeAdvantages("ppo", { groups: [] }),
    (error: unknown) =>
      error instanceof RangeError &&
      /capo, grpo, dr_grpo, rloo, reinforce, got "ppo"/.test(error.message),
  );
});
