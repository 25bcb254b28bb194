/**
 * Worker entry of {@linkcode VerifierPool}: answers `{id, pred, gold, options}` messages with
 * `{id, result}` by calling `verifyAnswer` (comparisons run where they can be
 * terminated).
 * @module
 */
/// <reference lib="deno.worker" />
import { verifyAnswer } from "./verify.ts";
import type { VerifyOptions } from "./types.ts";

interface Job {
  id: number;
  pred: string;
  gold: string;
  options?: VerifyOptions;
}

self.onmessage = (event: MessageEvent<Job>) => {
  const { id, pred, gold, options } = event.data;
  self.postMessage({ id, result: verifyAnswer(pred, gold, options ?? {}) });
};

self.postMessage({ ready: true });
