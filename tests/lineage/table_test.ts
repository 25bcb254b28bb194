import assert from "node:assert/strict";
import { groupStats, markdownGroupTable, stats } from "../../lib/lineage/mod.ts";

Deno.test("stats gives mean, sample std, min and max", () => {
  assert.deepEqual(stats([1, 2, 3]), { mean: 2, std: 1, min: 1, max: 3, n: 3 });
  assert.deepEqual(stats([5]), { mean: 5, std: 0, min: 5, max: 5, n: 1 });
  assert.ok(Number.isNaN(stats([NaN]).mean));
});

Deno.test("groupStats averages seeds within each group and the table shows the spread", () => {
  const runs = [
    {
      id: "a",
      values: { "rl.estimator": "capo", "rl.seed": 0 },
      summary: { accuracy: 0.5, arms: { x: 1 } },
    },
    {
      id: "b",
      values: { "rl.estimator": "capo", "rl.seed": 1 },
      summary: { accuracy: 0.7, arms: { x: 3 } },
    },
    {
      id: "c",
      values: { "rl.estimator": "grpo", "rl.seed": 0 },
      summary: { accuracy: 0.4, arms: { x: 2 } },
    },
  ];
  const rows = groupStats(runs, ["rl.estimator"], ["accuracy", "arms.x"]);
  assert.equal(rows.length, 2);
  assert.deepEqual(rows[0].runs, ["a", "b"]);
  assert.ok(Math.abs(rows[0].metrics.accuracy.mean - 0.6) < 1e-12);
  assert.equal(rows[0].metrics["arms.x"].max, 3);
  const table = markdownGroupTable(rows);
  assert.match(table, /^\| rl\.estimator \| accuracy \| arms\.x \|/);
  assert.match(table, /\| capo \| 0\.600 ± 0\.141 \(0\.500–0\.700, n=2\) \| 2\.000 ± 1\.414/);
  assert.match(table, /\| grpo \| 0\.400 \| 2\.000 \|/);
  assert.equal(groupStats(runs, [], ["accuracy"]).length, 3);
});
