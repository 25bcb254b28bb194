import { verifyAnswer, VerifierPool } from "./lib/verify/mod.ts";
const gsm = Deno.readTextFileSync("../shared/data/gsm8k/test.jsonl").trim().split("\n").map((l) => JSON.parse(l));
const math = Deno.readTextFileSync("../shared/data/math500/test.jsonl").trim().split("\n").map((l) => JSON.parse(l));
const cases: [string, string][] = [];
for (const r of gsm.slice(0, 500)) cases.push([r.answer.replace(/#### (.*)$/, "The answer is $1."), r.answer]);
for (const r of math) cases.push([r.solution, r.answer]);
let t = performance.now();
const counts: Record<string, number> = {};
for (const [p, g] of cases) { const r = verifyAnswer(p, g); const k = r.result + ":" + r.reason; counts[k] = (counts[k] ?? 0) + 1; }
let dt = performance.now() - t;
console.log("first pass cases/s", (cases.length / dt * 1000).toFixed(0), counts);
t = performance.now();
for (let k = 0; k < 3; k++) for (const [p, g] of cases) verifyAnswer(p, g);
dt = performance.now() - t;
console.log("warm cases/s", (3 * cases.length / dt * 1000).toFixed(0));
for (const r of math) { const v = verifyAnswer(r.solution, r.answer); if (v.result !== "equal") console.log(v.result, v.reason, JSON.stringify(r.answer), JSON.stringify(v.pred.extracted)); }
const pool = new VerifierPool({ size: 2, timeoutMs: 3000 });
t = performance.now();
const rs = await pool.verifyMany(cases.map(([pred, gold]) => ({ pred, gold })));
console.log("pool", rs.length, performance.now() - t, rs.filter((r) => r.result === "equal").length);
pool.close();
