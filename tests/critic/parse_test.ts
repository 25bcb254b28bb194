import assert from "node:assert/strict";
import { hasSharedData, sharedDataPath } from "../_shared_data.ts";
import {
  annotateCritiqueRecord,
  loadCritiqueCorpus,
  naiveParseCritique,
  parseCritique,
  scoreParser,
} from "../../lib/critic/parse.ts";
import { createRng } from "../../lib/util/mod.ts";

const FIXTURE = new URL("./fixtures/critiques.jsonl", import.meta.url);
const SHIPPED = new URL("../../data/critique_parse_corpus.jsonl", import.meta.url);
const CLI = new URL("../../lib/cli/critic_parse.ts", import.meta.url);

/** [critique, numSteps, expected wrongSteps, expected reason] */
const CASES: [string, number, number[] | null, string][] = [
  ["Step 1 is off.\n\nWrong steps: [1, 3]", 5, [1, 3], "explicit_list"],
  ["Wrong step list: [1,3]", 5, [1, 3], "explicit_list"],
  ["wrong steps: 1, 3", 5, [1, 3], "inline_list"],
  ["Wrong steps: none", 5, [], "none"],
  ["Wrong steps: []", 5, [], "explicit_list"],
  ["Wrong steps: None of the steps are wrong.", 5, [], "none"],
  ["Checked.\n```\nWrong steps: [2]\n```", 5, [2], "explicit_list"],
  ["**Wrong steps:** [2]", 5, [2], "explicit_list"],
  ['```json\n{"analysis": "x", "wrong_steps": [1]}\n```', 5, [1], "json"],
  ["<think>Wrong steps: [0]</think>\nWrong steps: [1, 2]", 5, [1, 2], "explicit_list"],
  ["Wrong steps: [1]\n\nActually, on reflection, Wrong steps: [1, 2]", 5, [1, 2], "explicit_list"],
  ["Wrong steps: [3]\n\nNo, step 3 is fine.\n\nWrong steps: none", 5, [], "none"],
  ["Wrong steps: steps 2-4", 6, [2, 3, 4], "inline_list"],
  ["Wrong steps: [2–4]", 6, [2, 3, 4], "explicit_list"],
  ["Wrong steps: <step 3>, <step 5>", 6, [3, 5], "inline_list"],
  ["Wrong steps: Step 2 and Step 5", 6, [2, 5], "inline_list"],
  ["Wrong steps: ［1，3］", 6, [1, 3], "explicit_list"],
  ["错误步骤：[1, 3]", 6, [1, 3], "explicit_list"],
  ["错误步骤：无", 6, [], "none"],
  ["错误步骤：第2步和第4步", 6, [2, 4], "inline_list"],
  ["Étapes incorrectes : 1 et 5", 6, [1, 5], "inline_list"],
  ["Pasos incorrectos: ninguno", 6, [], "none"],
  ["Falsche Schritte: [0, 2]", 6, [0, 2], "explicit_list"],
  ["x in [0, 1].\n\nWrong steps: none", 6, [], "none"],
  ["Wrong steps: [1, 3] (step 3 inherits it; see [0, 1] above)", 6, [1, 3], "explicit_list"],
  ["Step 0 ok. Step 1: f on [0, 1] gives 12*3 = ", 6, null, "truncated"],
  ["<think>\nStep 1 wrong? Wrong steps: [1]. Let me check step 2", 6, null, "truncated"],
  ["Wrong steps: [1, ", 6, null, "truncated"],
  ["Wrong steps: 1 or 2", 6, null, "ambiguous"],
  ["Wrong steps: [i, j]", 6, null, "unparseable_verdict"],
  ["The solution takes a sensible approach.", 6, null, "no_verdict"],
  ["", 6, null, "empty"],
  ["Step 0: correct\nStep 1: incorrect\nStep 2: correct", 3, [1], "per_step"],
  ["Analysis done.\n\nIn conclusion, step 2 is incorrect.", 3, [2], "prose"],
  ["Checked all.\n\n[0, 2]", 3, [0, 2], "bare_list"],
  ["<think>So Wrong steps: [2].</think>", 3, [2], "think_explicit_list"],
  ["Wrong steps (1-indexed): [2, 3]", 3, [1, 2], "explicit_list"],
  ["The number of wrong steps is 2.\n\nWrong steps: [0, 2]", 3, [0, 2], "explicit_list"],
  ["Wrong steps: [1, 2]\nWrong steps count: 2", 3, [1, 2], "explicit_list"],
  ["Wrong steps: ∅", 3, [], "none"],
  ["Checked.\n<answer>[0, 2]</answer>", 3, [0, 2], "bare_list"],
  ["<b>Wrong steps</b>: \\boxed{2}", 3, [2], "explicit_list"],
  ["Final Answer\n\\boxed{[1, 2]}", 3, [1, 2], "bare_list"],
  ["Wrong steps identified: [2]", 3, [2], "explicit_list"],
  ["Wrong steps: Step 0 (wrong formula), Step 2 (12 × 12 = 124)", 3, [0, 2], "inline_list"],
  ["Wrong steps: all", 3, [0, 1, 2], "all"],
  ["Wrong steps:\n- Step 1 (bad product)\n- Step 2", 3, [1, 2], "bullet_list"],
  ["Pasos incorrectos: los pasos 1 y 2", 3, [1, 2], "inline_list"],
  ["没有错误步骤。", 3, [], "none"],
  ["| Step | OK |\n|---|---|\n| 0 | ✅ |\n| 1 | ❌ |\n| 2 | ✅ |", 3, [1], "per_step"],
  ["Wrong steps: [1]\n\nWait, let me re-check step 2: 15+7 =", 3, null, "truncated"],
];

Deno.test("parseCritique reads every documented verdict format with the right reason", () => {
  for (const [text, n, wrong, reason] of CASES) {
    const got = parseCritique(text, n);
    assert.deepEqual([got.wrongSteps, got.reason], [wrong, reason], JSON.stringify(text));
  }
});

Deno.test("parseCritique drops out-of-range indices, reports them and sorts the rest", () => {
  assert.deepEqual(parseCritique("Wrong steps: [9, 3, 1, 3, 4]", 4), {
    wrongSteps: [1, 3],
    reason: "explicit_list",
    droppedIndices: [4, 9],
  });
  assert.deepEqual(parseCritique("Wrong steps: [3]", 3).wrongSteps, []);
  assert.deepEqual(parseCritique("Wrong steps: [0, 4]", 4, { oneBased: true }), {
    wrongSteps: [3],
    reason: "explicit_list",
    droppedIndices: [-1],
  });
});

Deno.test("parseCritique never grabs an analysis bracket unless the last-list fallback is on", () => {
  const text = "Step 2 uses the interval [0, 1] correctly. Nothing else to add.";
  assert.equal(parseCritique(text, 4).wrongSteps, null);
  const opted = parseCritique(text, 4, { acceptLastNumberList: true });
  assert.deepEqual([opted.wrongSteps, opted.reason], [[0, 1], "last_number_list"]);
  const bare = "Checked every step.\n\n[1]";
  assert.deepEqual(parseCritique(bare, 4).wrongSteps, [1]);
  assert.equal(parseCritique(bare, 4, { acceptBareList: false }).wrongSteps, null);
});

Deno.test("parseCritique ignores a think draft when a verdict follows and can refuse its fallback", () => {
  const text = "<think>Wrong steps: [0, 1]</think>\n\nOnly step 1 is wrong.\n\nWrong steps: [1]";
  assert.deepEqual(parseCritique(text, 3).wrongSteps, [1]);
  assert.equal(
    parseCritique("<think>Wrong steps: [2]</think>", 3, { thinkFallback: false }).reason,
    "no_verdict",
  );
});

Deno.test("parseCritique validates its arguments", () => {
  assert.throws(() => parseCritique(7 as unknown as string, 3), TypeError);
  assert.throws(() => parseCritique("Wrong steps: []", -1), RangeError);
  assert.throws(() => parseCritique("Wrong steps: []", 2.5), /integer >= 0, got 2.5/);
});

Deno.test("naiveParseCritique takes the last bracket, right or wrong", () => {
  assert.deepEqual(naiveParseCritique("Wrong steps: [1, 3]", 4).wrongSteps, [1, 3]);
  assert.deepEqual(naiveParseCritique("x in [0, 1]. Wrong steps: none", 4).wrongSteps, [0, 1]);
  assert.equal(naiveParseCritique("Wrong steps: 1, 3", 4).reason, "no_bracket");
  assert.equal(naiveParseCritique("Wrong steps: [2–4]", 4).reason, "not_a_list");
});

Deno.test("the labelled corpus: ours >= 95% exact, far above the naive last-bracket parser", async () => {
  const text = await Deno.readTextFile(FIXTURE);
  assert.equal(await Deno.readTextFile(SHIPPED), text, "data/ copy must equal the fixture");
  const corpus = loadCritiqueCorpus(text, "critiques.jsonl");
  assert.ok(corpus.length >= 200, `corpus has ${corpus.length} entries`);
  const tags = new Set(corpus.flatMap((e) => e.tags ?? []));
  for (const t of ["think", "revised", "range", "fullwidth", "chinese", "truncated", "json"]) {
    assert.ok(tags.has(t), `corpus lacks tag ${t}`);
  }
  const ours = scoreParser(corpus);
  const naive = scoreParser(corpus, { parser: naiveParseCritique });
  console.log(
    `critique parser on ${corpus.length} labelled critiques: ours ${
      (100 * ours.accuracy).toFixed(1)
    }%, naive last-[...] ${(100 * naive.accuracy).toFixed(1)}%`,
  );
  assert.ok(ours.accuracy >= 0.95, `ours ${ours.accuracy}: ${JSON.stringify(ours.misses)}`);
  assert.ok(naive.accuracy < ours.accuracy - 0.2, `naive ${naive.accuracy}`);
  assert.equal(ours.correct + ours.misses.length, corpus.length);
});

Deno.test("loadCritiqueCorpus names the bad line; scoreParser counts per tag", () => {
  assert.throws(
    () =>
      loadCritiqueCorpus(
        '{"critique": "x", "num_steps": 2, "expected_wrong_steps": []}\n\n{"critique": 1}',
        "c.jsonl",
      ),
    /line 3 of c\.jsonl/,
  );
  assert.throws(() => loadCritiqueCorpus("nope", "c.jsonl"), SyntaxError);
  const corpus = loadCritiqueCorpus(
    '{"id":"a","critique":"Wrong steps: [1]","num_steps":2,"expected_wrong_steps":[1],"tags":["t"]}\n' +
      '{"id":"b","critique":"Wrong steps: 1","num_steps":2,"expected_wrong_steps":[1],"tags":["t"]}',
  );
  const naive = scoreParser(corpus, { parser: naiveParseCritique });
  assert.deepEqual([naive.correct, naive.byTag.t, naive.misses[0].id], [
    1,
    { total: 2, correct: 1 },
    "b",
  ]);
});

Deno.test("annotateCritiqueRecord passes fields through and rejects bad records", () => {
  assert.deepEqual(annotateCritiqueRecord({ id: 7, critique: "Wrong steps: [2]", num_steps: 3 }), {
    id: 7,
    critique: "Wrong steps: [2]",
    num_steps: 3,
    wrong_steps: [2],
    parse_reason: "explicit_list",
  });
  assert.throws(() => annotateCritiqueRecord({ critique: "x", num_steps: "3" }), /num_steps/);
  assert.throws(() => annotateCritiqueRecord([1]), /JSON object/);
});

async function runCli(args: string[], input: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", CLI.pathname, ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(input));
  await writer.close();
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("critic:parse CLI annotates JSONL from stdin and names a bad line", async () => {
  const good = '{"id":1,"critique":"Wrong steps: [1, 3]","num_steps":4}\n\n' +
    '{"critique":"wrong steps: none","num_steps":2}\n';
  const ok = await runCli([], good);
  assert.equal(ok.code, 0, ok.stderr);
  const rows = ok.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(rows.map((r) => [r.id, r.wrong_steps, r.parse_reason]), [
    [1, [1, 3], "explicit_list"],
    [undefined, [], "none"],
  ]);
  const bad = await runCli([], good + "not json\n");
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /line 4 of stdin/);
  const skipped = await runCli(["--skip-invalid"], good + '{"critique":"x"}\n' + good);
  assert.equal(skipped.code, 0);
  assert.equal(skipped.stdout.trim().split("\n").length, 4);
  assert.match(skipped.stderr, /line 4 of stdin: expected "num_steps"/);
});

Deno.test("critic:parse --score prints ours and naive accuracy for a labelled corpus", async () => {
  const corpus =
    '{"id":"a","critique":"Wrong steps: none","num_steps":2,"expected_wrong_steps":[]}\n' +
    '{"id":"b","critique":"Wrong steps: [1]","num_steps":2,"expected_wrong_steps":[1]}\n';
  const run = await runCli(["--score"], corpus);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /ALL\s+2\s+100\.0%\s+50\.0%/);
});

Deno.test("parseCritique output is always sorted, unique and in range on random text", () => {
  const rng = createRng(3);
  const pieces = [
    "Wrong steps:",
    " [",
    "]",
    "1",
    "3",
    ", ",
    "-",
    "none",
    "\n",
    "step ",
    "<think>",
    "</think>",
    "错误步骤：",
    "［",
    "，",
    " or ",
    "**",
    "```",
    "(1-indexed)",
    "all",
    ".",
  ];
  for (let i = 0; i < 500; i++) {
    const text = Array.from({ length: 1 + rng.int(12) }, () => pieces[rng.int(pieces.length)]).join(
      "",
    );
    const n = rng.int(5);
    const got = parseCritique(text, n);
    if (got.wrongSteps === null) continue;
    const sorted = [...new Set(got.wrongSteps)].sort((a, b) => a - b);
    assert.deepEqual(got.wrongSteps, sorted, JSON.stringify(text));
    assert.ok(
      got.wrongSteps.every((s) => Number.isInteger(s) && s >= 0 && s < n),
      JSON.stringify(text),
    );
  }
});

const BBM = sharedDataPath("big-bench-mistake/multistep_arithmetic.jsonl");
const hasBbm = hasSharedData("big-bench-mistake/multistep_arithmetic.jsonl");

Deno.test({
  name: "parseCritique finds no verdict in real reasoning traces that contain none",
  ignore: !hasBbm,
  fn: async () => {
    const rows = (await Deno.readTextFile(BBM)).trim().split("\n").map((l) => JSON.parse(l));
    const nonNull = rows.map((r) => (r.steps as string[]).join("\n\n"))
      .filter((t) => parseCritique(t, 10).wrongSteps !== null);
    assert.equal(rows.length >= 100, true);
    assert.deepEqual(nonNull, []);
  },
});
