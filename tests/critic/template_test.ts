import assert from "node:assert/strict";
import { loadTemplate, parseTemplate, recoverPrompt, renderPrompt } from "../../lib/critic/mod.ts";
import { splitSteps } from "../../lib/steps/mod.ts";
import { sha256Hex } from "../../lib/util/mod.ts";

Deno.test("the built-in template loads with its version and the sha256 of its file", async () => {
  const t = await loadTemplate("genprm_v1");
  assert.equal(t.version, "1");
  const text = await Deno.readTextFile(new URL(t.location));
  assert.equal(t.sha256, await sha256Hex(text));
  assert.match(t.user, /Wrong steps: \[\]/);
  assert.match(t.system, /own correctness/);
});

Deno.test("renderPrompt tags steps and shows the reference only when given", async () => {
  const t = await loadTemplate();
  const steps = splitSteps("7+5=12\n\n\\boxed{12}");
  const without = renderPrompt(t, { problem: "7+5 costs $& dollars", steps });
  assert.match(without.user, /<step 0>\n7\+5=12\n\n<step 1>\n\\boxed\{12\}/);
  assert.match(
    without.user,
    /costs \$& dollars/,
    "replacement patterns in the problem are literal",
  );
  assert.doesNotMatch(without.user, /Reference answer/);
  assert.match(without.user, /tagged <step 0> to <step 1>/);
  const withRef = renderPrompt(t, { problem: "7+5", steps, reference: "12" });
  assert.match(withRef.user, /### Reference answer\n12\n/);
});

Deno.test("recoverPrompt gets the problem and steps back from a rendered prompt", async () => {
  const t = await loadTemplate();
  const response = "Let's calculate A = (1 + 2) = 3.\n\nSo\nthe answer is 3";
  for (const reference of [undefined, "3"]) {
    const { user } = renderPrompt(t, {
      problem: "(1 + 2) =",
      steps: splitSteps(response),
      reference,
    });
    assert.deepEqual(recoverPrompt(user), {
      problem: "(1 + 2) =",
      steps: ["Let's calculate A = (1 + 2) = 3.", "So\nthe answer is 3"],
    });
  }
});

Deno.test("parseTemplate rejects files without front matter, version or user marker", () => {
  assert.throws(() => parseTemplate("no front matter", "a.txt", "0"), SyntaxError);
  assert.throws(
    () => parseTemplate("---\nname: a\n---\nx\n<!-- user -->\ny", "a.txt", "0"),
    /version/,
  );
  assert.throws(() => parseTemplate("---\nversion: 1\n---\nx", "a.txt", "0"), /<!-- user -->/);
});

Deno.test("an unknown template name is a one-line NotFound naming the built-ins, never a prototype key", async () => {
  for (const name of ["toString", "no/such/template.txt"]) {
    await assert.rejects(
      () => loadTemplate(name),
      (e: Error) =>
        e instanceof Deno.errors.NotFound && e.message.includes(`"${name}"`) &&
        e.message.includes("genprm_v1") && !e.message.includes("\n"),
    );
  }
});
