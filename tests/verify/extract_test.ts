/** Tests of `extractAnswer` (lib/verify/extract.ts): one row per extraction rule. */
import assert from "node:assert/strict";
import { cleanAnswerText, extractAnswer } from "../../lib/verify/mod.ts";
import type { ExtractAnswerOptions } from "../../lib/verify/mod.ts";

const CASES: [string, string | null, string, ExtractAnswerOptions?][] = [
  ["so $\\boxed{42}$.", "42", "boxed"],
  ["\\boxed{\\frac{\\sqrt{3}}{2}}", "\\frac{\\sqrt{3}}{2}", "boxed"],
  ["\\boxed{\\{1, \\{2\\}\\}}", "\\{1, \\{2\\}\\}", "boxed"],
  ["\\boxed{{a}^{b_{c}}}", "{a}^{b_{c}}", "boxed"],
  ["\\fbox{7}", "7", "boxed"],
  ["\\boxed 5 is it", "5", "boxed"],
  ["\\boxed  {9}", "9", "boxed"],
  ["First \\boxed{1}. Later, fixing a slip: \\boxed{2}", "2", "boxed"],
  ["roots $\\boxed{1}$ and $\\boxed{2}$", "1, 2", "boxed_multiple"],
  ["$\\boxed{1}$, $\\boxed{2}$, $\\boxed{3}$", "1, 2, 3", "boxed_multiple"],
  ["\\boxed{}", null, "empty"],
  ["the answer is \\boxed{\\frac{1}{2", null, "truncated"],
  ["#### 18", "18", "gsm8k"],
  ["She pays 3 * 6 = <<3*6=18>>18.\n#### 18", "18", "gsm8k"],
  ["#### 1,234", "1,234", "gsm8k"],
  ["work\n####", null, "truncated"],
  ["The answer is 12.", "12", "answer_is"],
  ["Thus the answer is 3.5. Let me double check.", "3.5", "answer_is"],
  ["so the answer is $\\frac{1}{3}$ cups", "\\frac{1}{3}", "answer_is"],
  ["THE ANSWER IS: 9", "9", "answer_is"],
  [
    "Final Answer: The final answer is $2\\sqrt{2}$. I hope it is correct.",
    "2\\sqrt{2}",
    "final_answer",
  ],
  ["Final Answer: The final answer is 17", "17", "final_answer"],
  ["Answer: 64", "64", "answer_is"],
  ["The answer: 7", "7", "answer_is"],
  ["The answer is 5, since 2 + 3 = 5.", "5", "answer_is"],
  ["**Final Answer:** $x = 2$", "x = 2", "answer_is"],
  ["A: 26", "26", "answer_line"],
  ["42", "42", "bare"],
  ["  \\frac{1}{2}  ", "\\frac{1}{2}", "bare"],
  ["$x^2 + 1$", "x^2 + 1", "bare"],
  ["\\text{Evelyn}", "\\text{Evelyn}", "bare"],
  ["(1, 2)", "(1, 2)", "bare"],
  ["x = 3 or x = -3", "x = 3 or x = -3", "bare"],
  ["We know that the total of the pens is 45.", null, "no_answer", { lastNumber: false }],
  ["We know that the total of the pens is 45.", "45", "last_number"],
  ["Costs were 1,200 and then 3,400 dollars in total", "3,400", "last_number", {
    lastNumber: true,
  }],
  ["He lost −7 points overall, sadly it seems", "-7", "last_number", { lastNumber: true }],
  ["No numbers here at all, sorry about that", null, "no_answer", { lastNumber: true }],
  ["42", null, "no_answer", { bare: false, lastNumber: false }],
  ["<think>maybe 5</think>so it is <answer>4</answer>", "4", "bare"],
  ["The result is $3$.", "3", "answer_is"],
  [
    "We add them up and get the total\n\\[ y^2 + 1 \\]\nwhich is what we wanted.",
    "y^2 + 1",
    "last_math",
  ],
  ["Answer $ 9 $", "9", "last_math"],
  ["So $y = 2x$ and $x = 3$.\n\n# Answer\n\n6", "6", "answer_heading"],
  ["Thus $a = 1$.\n\n**Final Answer**\n\n$\\frac{1}{2}$", "\\frac{1}{2}", "answer_heading"],
  ["", null, "empty"],
  ["   \n  ", null, "empty"],
  ["\\boxed{5}<|im_end|>", "5", "boxed"],
  ["#### 5</s>", "5", "gsm8k"],
  ["The answer is 5.<|endoftext|>", "5", "answer_is"],
  ["\\boxed{\u22123}", "-3", "boxed"],
  ["\\[\\boxed{8}\\]", "8", "boxed"],
  ["$$12$$", "12", "bare"],
];

Deno.test("extractAnswer follows each extraction rule", () => {
  const failures: string[] = [];
  for (const [text, answer, reason, options] of CASES) {
    const got = extractAnswer(text, options);
    if (got.answer !== answer || got.reason !== reason) {
      failures.push(
        `${JSON.stringify(text)}: expected ${answer}/${reason}, got ${got.answer}/${got.reason}`,
      );
    }
  }
  assert.deepEqual(failures, []);
});

Deno.test("extractAnswer prefers a box over other markers and the last box over earlier ones", () => {
  assert.equal(extractAnswer("The answer is 3. Actually \\boxed{4}").answer, "4");
  assert.equal(extractAnswer("\\boxed{1} ... long text ... \\boxed{2}").answer, "2");
});

Deno.test("cleanAnswerText strips EOS tokens and maps the Unicode minus", () => {
  assert.equal(cleanAnswerText("\u22125<|im_end|><|endoftext|></s><|eot_id|>"), "-5");
});

Deno.test("extractAnswer handles a long solution with many braces in linear time", () => {
  const text = "step {a} ".repeat(20000) + "\\boxed{" + "{x}".repeat(1000) + "}";
  const t = performance.now();
  const got = extractAnswer(text);
  assert.equal(got.reason, "boxed");
  assert.ok(performance.now() - t < 500);
});
