import assert from "node:assert/strict";
import {
  arithmeticClaimHolds,
  arithmeticEqual,
  evaluateArithmetic,
} from "../../lib/verify/arithmetic.ts";

Deno.test("evaluateArithmetic is exact and rational", () => {
  assert.deepEqual(evaluateArithmetic("7 - -7 * 4"), { value: "35" });
  assert.deepEqual(evaluateArithmetic("2^-1"), { value: "1/2" });
  assert.deepEqual(evaluateArithmetic("(60 * (-21))"), { value: "-1260" });
  assert.deepEqual(evaluateArithmetic("12 × 3 ÷ 4"), { value: "9" });
  assert.deepEqual(evaluateArithmetic("-14."), { value: "-14" });
});

Deno.test("evaluateArithmetic refuses non-arithmetic, division by zero and irrationals", () => {
  for (const bad of ["x + 1", "1/0", "2^0.5", "", "sqrt(4)", "2 ^ 99999", "3 4"]) {
    assert.equal(evaluateArithmetic(bad), null, bad);
  }
});

Deno.test("arithmeticEqual has no floating-point error", () => {
  assert.equal(arithmeticEqual("0.1 + 0.2", "0.3"), true);
  assert.equal(arithmeticEqual("48/2", "24"), true);
  assert.equal(arithmeticEqual("12*3", "37"), false);
  assert.equal(arithmeticEqual("a", "1"), null);
});

Deno.test("arithmeticClaimHolds allows only the rounding a written decimal implies", () => {
  assert.equal(arithmeticClaimHolds("10/3", "3.33"), true);
  assert.equal(arithmeticClaimHolds("10/3", "3.3"), true);
  assert.equal(arithmeticClaimHolds("10/3", "3.4"), false);
  assert.equal(arithmeticClaimHolds("10/3", "3"), false);
  assert.equal(arithmeticClaimHolds("7+5", "12"), true);
});
