import assert from "node:assert/strict";
import { splitSteps, stepTokenSpans, tagSteps, tokenStepIndex } from "../../lib/steps/mod.ts";
import { createRng } from "../../lib/util/mod.ts";

Deno.test("splitSteps splits on blank lines and keeps exact character spans", () => {
  const text = "7+5=12\n\n12*3=36\n\n36-4=32\n\n\\boxed{32}";
  const steps = splitSteps(text);
  assert.deepEqual(steps.map((s) => s.text), ["7+5=12", "12*3=36", "36-4=32", "\\boxed{32}"]);
  for (const s of steps) assert.equal(text.slice(s.start, s.end), s.text);
  assert.deepEqual(steps.map((s) => s.index), [0, 1, 2, 3]);
});

Deno.test("splitSteps makes no empty steps from runs of separators or edge whitespace", () => {
  const text = "\n\n  a \n\n\n\n\n b\n\n";
  const steps = splitSteps(text);
  assert.deepEqual(steps.map((s) => s.text), ["a", "b"]);
  for (const s of steps) assert.equal(text.slice(s.start, s.end), s.text);
  assert.deepEqual(splitSteps(""), []);
  assert.deepEqual(splitSteps(" \n\n \n"), []);
});

Deno.test("splitSteps honours a custom separator and rejects an empty one", () => {
  assert.deepEqual(splitSteps("a\nb\n\nc", { separator: "\n" }).map((s) => s.text), [
    "a",
    "b",
    "c",
  ]);
  assert.throws(() => splitSteps("a", { separator: "" }), TypeError);
});

Deno.test("tagSteps tags each step for the critic prompt", () => {
  assert.equal(tagSteps(splitSteps("a\n\nb")), "<step 0>\na\n\n<step 1>\nb");
});

Deno.test("tokenStepIndex puts every token in exactly one step, separators with the step before", () => {
  const text = "ab\n\ncd";
  const steps = splitSteps(text);
  const charTokens = [...text].map((_, i) => [i, i + 1] as [number, number]);
  assert.deepEqual(tokenStepIndex(steps, charTokens), [0, 0, 0, 0, 1, 1]);
  // A multi-character token spanning the separator and the next step starts in step 0.
  assert.deepEqual(tokenStepIndex(steps, [[0, 2], [2, 5], [5, 6], [6, 6]]), [0, 0, 1, 1]);
  assert.deepEqual(stepTokenSpans(steps, [[0, 2], [2, 4], [4, 6]]), [[0, 2], [2, 3]]);
});

Deno.test("tokenStepIndex matches a per-character reference on random texts", () => {
  const rng = createRng(11);
  for (let trial = 0; trial < 50; trial++) {
    const pieces = Array.from(
      { length: 1 + rng.int(5) },
      () => "x".repeat(rng.int(4)) + " ".repeat(rng.int(2)),
    );
    const text = pieces.join("\n\n".repeat(1 + rng.int(2)));
    const steps = splitSteps(text);
    // Random tokenization into contiguous chunks of 1-3 characters.
    const offsets: [number, number][] = [];
    for (let i = 0; i < text.length;) {
      const len = Math.min(1 + rng.int(3), text.length - i);
      offsets.push([i, i + len]);
      i += len;
    }
    const owner = tokenStepIndex(steps, offsets);
    assert.equal(owner.length, offsets.length);
    owner.forEach((s, t) => {
      const start = offsets[t][0];
      const expected = steps.length === 0
        ? 0
        : Math.max(0, steps.findLastIndex((st) => st.start <= start));
      assert.equal(s, expected, `trial ${trial} token ${t}`);
    });
    // Owners never decrease: each step owns one contiguous run of tokens.
    for (let t = 1; t < owner.length; t++) assert.ok(owner[t] >= owner[t - 1]);
  }
});
