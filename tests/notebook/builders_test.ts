import assert from "node:assert/strict";
import { escapeHtml, htmlTable, runsHtml } from "../../lib/notebook/html.ts";
import { niceTicks, svgLineChart } from "../../lib/notebook/svg.ts";
import { mime } from "../../lib/notebook/display.ts";
import { notebookContext } from "../../lib/notebook/context.ts";
import type { RunRecord } from "../../lib/lineage/mod.ts";

Deno.test("svgLineChart draws one polyline per series with escaped labels and a legend", () => {
  const svg = svgLineChart(
    [
      { name: "capo <a>", points: [[0, 0.1], [1, 0.4], [2, NaN], [3, 0.6]] },
      { name: "grpo", points: [[0, 0.1], [3, 0.3]] },
    ],
    { title: "acc & f1", xLabel: "step", yRange: [0, 1] },
  );
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.equal((svg.match(/<polyline/g) ?? []).length, 3); // NaN splits capo into two segments
  assert.match(svg, /capo &lt;a&gt;/);
  assert.match(svg, /acc &amp; f1/);
  assert.ok(!svg.includes("NaN"));
  assert.ok(svg.trimEnd().endsWith("</svg>"));
});

Deno.test("niceTicks returns round values covering the range", () => {
  assert.deepEqual(niceTicks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(0, 30), [0, 10, 20, 30]);
});

Deno.test("htmlTable escapes cells, rounds numbers and keeps column order", async () => {
  const html = htmlTable([{ a: "<x>", b: 1 / 3 }, { b: 2, c: null }], { caption: "t" });
  assert.match(html, /<th[^>]*>a<\/th><th[^>]*>b<\/th><th[^>]*>c<\/th>/);
  assert.match(html, />&lt;x&gt;</);
  assert.match(html, />0\.3333</);
  assert.match(html, />—</);
  assert.equal(escapeHtml(`"'&`), "&quot;&#39;&amp;");
  const record = {
    id: "r1",
    status: "completed",
    kind: "demo",
    name: "demo",
    started_at: "2026-01-01T00:00:00Z",
    duration_s: 2,
    summary: { arms: { capo: { accuracy: 0.5 } } },
  } as unknown as RunRecord;
  assert.match(runsHtml([record]), /arms\.capo\.accuracy[\s\S]*>0\.5</);
  const bundle = await mime({ "text/plain": "x" })[Symbol.for("Jupyter.display")]();
  assert.deepEqual(bundle, { "text/plain": "x" });
});

Deno.test("notebookContext resolves the repository root and the re-run command from experiments/", () => {
  const env: Record<string, string> = { CAPO_NOTEBOOK_SMOKE: "1" };
  const ctx = notebookContext("training.ipynb", {
    cwd: "/repo/experiments",
    getEnv: (k) => env[k],
  });
  assert.equal(ctx.root, "/repo");
  assert.equal(ctx.runsDir, "/repo/runs");
  assert.equal(ctx.dataDir, "/repo/../shared/data");
  assert.ok(ctx.smoke);
  assert.deepEqual(ctx.command.slice(0, 3), ["env", "CAPO_NOTEBOOK_SMOKE=1", "jupyter"]);
  assert.equal(ctx.command.at(-1), "experiments/training.ipynb");
  const plain = notebookContext("x.ipynb", {
    cwd: "/repo",
    getEnv: (k) => ({ CAPO_RUNS_DIR: "/tmp/r" } as Record<string, string>)[k],
  });
  assert.equal(plain.runsDir, "/tmp/r");
  assert.equal(plain.command[0], "jupyter");
});
