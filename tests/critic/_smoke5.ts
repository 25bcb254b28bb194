import { CriticClient, startReferenceCriticServer } from "../../lib/critic/mod.ts";
import { generateSyntheticTask, generateSftTraces } from "../../lib/data/mod.ts";
const { train } = generateSyntheticTask({ seed: 0, trainSize: 320, validSize: 0, testSize: 0 });
const batch = generateSftTraces(train, { seed: 0 }).map((t) => ({ problem: t.problem.question, response: t.response }));
const server = await startReferenceCriticServer({ port: 0, latencyMs: 200 });
for (const cacheDir of [undefined, undefined, await Deno.makeTempDir()]) {
  const c = new CriticClient({ baseUrl: server.baseUrl, k: 4, concurrency: 16, cacheDir });
  const r = await c.critiqueBatch(batch);
  console.log(cacheDir, r.metrics.wallMs);
}
// raw fetch baseline
const t0 = performance.now();
let i = 0;
await Promise.all(Array.from({ length: 16 }, async () => {
  while (i < 320) { i++; const r = await fetch(server.baseUrl + "/models"); await r.text(); await new Promise(r => setTimeout(r, 200)); }
}));
console.log("sleep-only baseline", performance.now() - t0);
await server.close();
