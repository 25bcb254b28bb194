import assert from "node:assert/strict";
import { parseVoteRule, vote, VOTE_RULE_NAMES, VOTE_RULES } from "../../lib/critic/mod.ts";

const critiques = [[1], [1, 2], [], [1, 3]]; // step 1: 3 of 4, steps 2 and 3: 1 of 4

Deno.test("vote rules merge valid critiques per step", () => {
  assert.deepEqual(vote(critiques, 4, "union"), [0, 1, 1, 1]);
  assert.deepEqual(vote(critiques, 4, "intersection"), [0, 0, 0, 0]);
  assert.deepEqual(vote([[1], [1, 2]], 4, "intersection"), [0, 1, 0, 0]);
  assert.deepEqual(vote(critiques, 4, "majority"), [0, 1, 0, 0]);
  assert.deepEqual(vote(critiques, 4, "average"), [0, 0.75, 0.25, 0.25]);
  assert.deepEqual(vote(critiques, 4, "at-least-m", { m: 1 }), [0, 1, 1, 1]);
  assert.deepEqual(vote(critiques, 4, "at-least-m", { m: 3 }), [0, 1, 0, 0]);
});

Deno.test("majority follows the tie rule when exactly half flag a step", () => {
  assert.deepEqual(vote([[0], []], 2, "majority"), [0, 0]);
  assert.deepEqual(vote([[0], []], 2, "majority", { tie: "wrong" }), [1, 0]);
});

Deno.test("vote ignores duplicates and out-of-range indices, and gives zeros without critiques", () => {
  assert.deepEqual(vote([[1, 1, 7, -1]], 2, "average"), [0, 1]);
  assert.deepEqual(vote([], 3, "union"), [0, 0, 0]);
});

Deno.test("unknown rules and bad m are RangeErrors naming the valid rules", () => {
  assert.throws(
    () => vote([], 1, "mean" as never),
    (e: Error) => e instanceof RangeError && e.message.includes("union, intersection, majority"),
  );
  assert.throws(() => vote([], 1, "at-least-m", { m: 0 }), RangeError);
  assert.throws(() => parseVoteRule("best"), RangeError);
  assert.equal(parseVoteRule("average"), "average");
  assert.equal(Object.keys(VOTE_RULES).length, 5);
});

Deno.test("vote rules are looked up as own keys: prototype names are RangeErrors listing the rules", () => {
  for (const name of ["toString", "constructor", "__proto__", "hasOwnProperty", "valueOf"]) {
    assert.throws(
      () => parseVoteRule(name),
      (e: Error) =>
        e instanceof RangeError && e.message.includes(`got "${name}"`) &&
        e.message.includes("union, intersection, majority, average, at-least-m"),
    );
    assert.throws(() => vote([[0]], 1, name as never), RangeError);
  }
  assert.deepEqual([...VOTE_RULE_NAMES].sort(), Object.keys(VOTE_RULES).sort());
});
