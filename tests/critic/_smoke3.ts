import { loadBigBenchMistake } from "../../lib/data/mod.ts";
import { bigBenchMistakeItems, evaluateCritic, formatEvalTable } from "../../lib/critic/eval.ts";
import { startReferenceCriticServer } from "../../lib/critic/server.ts";
import { checkSteps } from "../../lib/critic/reference.ts";
const ds = await loadBigBenchMistake("../shared/data/big-bench-mistake/multistep_arithmetic.jsonl");
const items = bigBenchMistakeItems(ds.records);
const server = await startReferenceCriticServer({ port: 0 });
const t0 = performance.now();
const { results, metrics, skipped } = await evaluateCritic(items, { config: { baseUrl: server.baseUrl }, ks: [1], rules: ["majority"] });
console.log(formatEvalTable(results), skipped, metrics.requests, performance.now() - t0);
// show misses
let shown = 0;
for (const r of ds.records) {
  const checks = checkSteps(r.question, r.steps!);
  const mi = r.meta!.mistakeIndex as number | null;
  const flagged = checks.map((c, i) => c.wrong ? i : -1).filter((i) => i >= 0);
  const fpBefore = flagged.filter((i) => mi === null || i < mi);
  if ((mi !== null && !checks[mi].wrong) || fpBefore.length) {
    if (shown++ < 8) console.log("MI", mi, "flagged", flagged, "\n", r.steps!.map((s, i) => `${i}: ${s} [${checks[i].note}]`).join("\n"));
  }
}
await server.close();
