/** Paths and reference outputs of the committed hf fixtures (made by make_fixtures.py). */
export const FIXTURES = new URL("../../fixtures/hf/", import.meta.url).pathname;

/** One prompt's reference outputs from transformers. */
export interface ExpectedRow {
  ids: number[];
  logit_cols: number[];
  logits: number[][];
  logsumexp: number[];
  token_log_probs: number[];
}

/** What make_fixtures.py recorded for one model. */
export interface Expected {
  rows: ExpectedRow[];
  greedy: number[];
  loss: number;
  grads: Record<string, number[]>;
}

/** Reads `<name>/expected.json`. */
export async function expected(name: string): Promise<Expected> {
  return JSON.parse(await Deno.readTextFile(`${FIXTURES}${name}/expected.json`));
}

/** Largest absolute difference. */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Backend the parity tests run on: `CAPO_HF_BACKEND` (set by `deno task gpu:check`), else cpu. */
export const TEST_BACKEND = (Deno.env.get("CAPO_HF_BACKEND") ?? "cpu") as "cpu";
