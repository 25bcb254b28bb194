/**
 * Test-only verifier worker: like lib/verify/_worker.ts, but spins forever on pred `__hang__`
 * and throws on `__crash__`, so the pool's timeout and restart paths can be exercised.
 */
/// <reference lib="deno.worker" />
import { verifyAnswer } from "../../lib/verify/mod.ts";

self.onmessage = (event: MessageEvent<{ id: number; pred: string; gold: string }>) => {
  const { id, pred, gold } = event.data;
  if (pred === "__hang__") {
    while (true) {
      // a comparison that never ends
    }
  }
  if (pred === "__crash__") throw new Error("worker crashed on purpose");
  self.postMessage({ id, result: verifyAnswer(pred, gold) });
};
self.postMessage({ ready: true });
