import assert from "node:assert/strict";
import {
  ADVANTAGE_ESTIMATORS,
  computeAdvantages,
  getAdvantageEstimator,
} from "../../lib/rl/advantages.ts";
import { POLICY_LOSSES, policyLoss } from "../../lib/rl/losses.ts";

const PROTOTYPE_NAMES = ["toString", "constructor", "__proto__", "hasOwnProperty", "valueOf"];

Deno.test("advantage estimators are looked up as own keys: prototype names list the valid ones", () => {
  const valid = Object.keys(ADVANTAGE_ESTIMATORS).join(", ");
  for (const name of PROTOTYPE_NAMES) {
    assert.throws(
      () => getAdvantageEstimator(name),
      (e: Error) => e instanceof RangeError && e.message.includes(valid),
    );
    assert.throws(() => computeAdvantages(name, { groups: [[[1]]] }), RangeError);
  }
  assert.equal(typeof getAdvantageEstimator("capo"), "function");
});

Deno.test("policy losses are looked up as own keys: prototype names list the valid ones", () => {
  const valid = Object.keys(POLICY_LOSSES).join(", ");
  for (const name of PROTOTYPE_NAMES) {
    // The name is checked before any tensor is touched, so no input is needed.
    assert.throws(
      () => policyLoss(name, undefined as never),
      (e: Error) => e instanceof RangeError && e.message.includes(valid),
    );
  }
});
