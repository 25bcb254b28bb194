import assert from "node:assert/strict";
import { startReferenceCriticServer } from "../../lib/critic/reference/mod.ts";
import {
  evaluateCritic,
  formatEvalTable,
  type LabeledResponse,
  readLabeledJsonl,
  runVotingAblation,
  scoreCritiques,
  syntheticAblationItems,
} from "../../lib/eval/mod.ts";

Deno.test("scoreCritiques computes step precision, recall, F1 and first-error accuracy", () => {
  const items: LabeledResponse[] = [
    { problem: "a", response: "", labels: [true, false, false] },
    { problem: "b", response: "", labels: [true, true] },
  ];
  // Item a: flags 0 and 1 → TP 1 (step 1), FP 1 (step 0), FN 1 (step 2). Item b: flags 1 → FP 1.
  const [row] = scoreCritiques(items, [[[0, 1]], [[1]]], { ks: [1], rules: ["union"] });
  assert.equal(row.precision, 1 / 3);
  assert.equal(row.recall, 1 / 2);
  assert.equal(row.f1, 0.4);
  assert.equal(
    row.first_error_accuracy,
    0,
    "a's first flag is 0, not 1; b has none but one flagged",
  );
  assert.equal(row.n, 2);
  const perfect = scoreCritiques(items, [[[1, 2]], [[]]], { ks: [1], rules: ["union"] })[0];
  assert.deepEqual([perfect.f1, perfect.first_error_accuracy], [1, 1]);
});

Deno.test("BIG-Bench-Mistake steps after the first mistake are not scored", () => {
  const items: LabeledResponse[] = [{
    problem: "p",
    response: "",
    labels: [true, false, null, null],
  }];
  const [row] = scoreCritiques(items, [[[1, 2, 3]]], { ks: [1], rules: ["majority"] });
  assert.deepEqual([row.precision, row.recall, row.first_error_accuracy], [1, 1, 1]);
});

Deno.test("k uses a prefix of the critiques and invalid critiques are left out of the vote", () => {
  const items: LabeledResponse[] = [{ problem: "p", response: "", labels: [true, false] }];
  const rows = scoreCritiques(items, [[[0], null, [1], [1]]], {
    ks: [1, 2, 4],
    rules: ["majority"],
  });
  assert.deepEqual(rows.map((r) => r.f1), [0, 0, 1]);
  assert.match(formatEvalTable(rows), /\| majority \| 4 \| 1\.000 \| 1\.000 \| 1\.000 /);
});

Deno.test("evaluateCritic scores the noise-free reference critic perfectly on synthetic labels", async () => {
  const server = await startReferenceCriticServer({ port: 0 });
  try {
    const items = syntheticAblationItems(60, 3);
    const { results, skipped, metrics } = await evaluateCritic(items, {
      config: { baseUrl: server.baseUrl },
      ks: [1, 2],
      rules: ["majority", "union"],
    });
    assert.equal(skipped, 0);
    assert.equal(metrics.requests, 60);
    assert.equal(results.length, 4);
    for (const r of results) assert.deepEqual([r.f1, r.first_error_accuracy, r.n], [1, 1, 60]);
  } finally {
    await server.close();
  }
});

Deno.test("the voting ablation shows majority rising with k and intersection vs union trade-offs", async () => {
  const { rows, shape } = await runVotingAblation({
    noise: [{ falseFlagRate: 0.2, missedFlagRate: 0.2 }, {
      falseFlagRate: 0.1,
      missedFlagRate: 0.3,
    }],
    ks: [1, 2, 4, 8],
    rules: ["union", "intersection", "majority"],
  }, { size: 150, seed: 1 });
  assert.equal(rows.length, 2 * 4 * 3);
  assert.deepEqual(shape.violations, []);
  const at = (rule: string, k: number) => rows.find((r) => r.rule === rule && r.k === k)!;
  assert.ok(at("majority", 8).f1 > at("majority", 1).f1 + 0.1);
  assert.ok(at("intersection", 8).precision > at("union", 8).precision);
  assert.ok(at("union", 8).recall > at("intersection", 8).recall);
});

Deno.test("readLabeledJsonl reads labelled responses and names bad lines", () => {
  const items = readLabeledJsonl(
    '{"question":"2+2","response":"2+2=5","step_labels":[false],"answer":"4"}\n\n',
    "x.jsonl",
  );
  assert.deepEqual(items, [{ problem: "2+2", response: "2+2=5", reference: "4", labels: [false] }]);
  assert.throws(() => readLabeledJsonl("{}\n", "x.jsonl"), /line 1 of x\.jsonl/);
  assert.throws(() => readLabeledJsonl('{"a":1}\nnot json', "x.jsonl"), SyntaxError);
});
