/** Tests of `benchVerifier` (lib/verify/bench.ts) and the shipped labelled set. */
import assert from "node:assert/strict";
import { benchVerifier, readLabelledCases } from "../../lib/verify/bench.ts";

Deno.test("benchVerifier measures throughput and agreement on given cases", async () => {
  const r = await benchVerifier({
    rounds: 1,
    cases: [
      { pred: "1", gold: "1", label: "equal", category: "a" },
      { pred: "2", gold: "1", label: "equal", category: "a" },
    ],
  });
  assert.equal(r.n, 2);
  assert.equal(r.agreement, 0.5);
  assert.deepEqual(r.byCategory, { a: [1, 2] });
  assert.equal(r.disagreements.length, 1);
  assert.ok(r.casesPerSecond > 0);
});

Deno.test("the shipped labelled set is well formed and the verifier agrees with it", async () => {
  const cases = await readLabelledCases(
    new URL("../../data/verify_labelled.jsonl", import.meta.url),
  );
  assert.ok(cases.length >= 500);
  for (const c of cases) assert.ok(["equal", "not_equal", "unverifiable"].includes(c.label));
  const r = await benchVerifier({ cases, rounds: 1 });
  assert.ok(r.agreement >= 0.97, `agreement ${r.agreement}: ${JSON.stringify(r.disagreements)}`);
});
