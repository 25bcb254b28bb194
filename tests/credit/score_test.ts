import assert from "node:assert/strict";
import { CriticClient, type CritiqueOutcome, type CritiqueRequest } from "../../lib/critic/mod.ts";
import { startReferenceCriticServer } from "../../lib/critic/reference/mod.ts";
import { parseCreditRequest, scoreCredit } from "../../lib/credit/mod.ts";
import { tokenRewards } from "../../lib/rl/rewards.ts";
import { splitSteps, tokenStepIndex } from "../../lib/steps/mod.ts";

/** Character offsets of `pieces` concatenated, one token per piece. */
function tokens(...pieces: string[]) {
  const offsets: [number, number][] = [];
  let at = 0;
  for (const p of pieces) {
    offsets.push([at, at + p.length]);
    at += p.length;
  }
  return { response: pieces.join(""), offsets };
}

Deno.test("scoreCredit penalises only the tokens of a voted-wrong step (reference critic)", async () => {
  const server = await startReferenceCriticServer({ port: 0 });
  try {
    const client = new CriticClient({ baseUrl: server.baseUrl, k: 2, voteRule: "majority" });
    const critique = async (r: CritiqueRequest[]) => (await client.critiqueBatch(r)).outcomes;
    const lucky = tokens("2+2=5", "\n\n", "5-1=4", "\n\n", "\\boxed{4}");
    const clean = tokens("2+2=4", "\n\n", "\\boxed{4}");
    const out = await scoreCredit(
      {
        version: 1,
        items: [
          { id: "lucky", prompt: "What is two plus two?", gold: "4", ...lucky },
          { prompt: "What is two plus two?", gold: "4", ...clean },
        ],
      },
      { critique },
      { k: 2 },
    );
    assert.equal(out.version, 1);
    assert.deepEqual(out.items.map((i) => i.id), ["lucky", "1"]);
    // Right answer (2) minus W_process (1) on step 0's tokens, its separator included.
    assert.deepEqual(out.items[0].rewards, [1, 1, 2, 2, 2]);
    assert.deepEqual(out.items[0].steps.map((s) => [s.tokens, s.wrongness]), [
      [[0, 2], 1],
      [[2, 4], 0],
      [[4, 5], 0],
    ]);
    assert.equal(out.items[0].verifier.result, "equal");
    assert.equal(out.items[0].critiques.length, 2);
    assert.deepEqual(out.items[1].rewards, [2, 2, 2]);
    assert.deepEqual(
      { items: out.metrics.items, correct: out.metrics.correct, flagged: out.metrics.flaggedItems },
      { items: 2, correct: 2, flagged: 1 },
    );
  } finally {
    await server.close();
  }
});

Deno.test("scoreCredit's rewards equal the library's tokenRewards with the same weights", async () => {
  const wrongness = [0.5, 0, 1];
  const critique = (requests: CritiqueRequest[]): Promise<CritiqueOutcome[]> =>
    Promise.resolve(requests.map((r) => ({
      steps: splitSteps(r.response),
      critiques: [],
      validCount: 2,
      wrongness,
      hasSignal: true,
    })));
  const item = tokens("a=1", "\n\n", "b", "=2", "\n\n", "\\boxed{3}");
  const out = await scoreCredit(
    {
      version: 1,
      items: [{ prompt: "p", gold: "7", ...item }],
    },
    { critique },
    { wWhole: 3, wProcess: 0.5 },
  );
  const expected = tokenRewards({
    outcome: 0,
    wrongness,
    tokenStep: tokenStepIndex(splitSteps(item.response), item.offsets),
  }, { wWhole: 3, wProcess: 0.5 });
  assert.deepEqual(out.items[0].rewards, expected);
  assert.deepEqual(out.items[0].rewards, [-0.25, -0.25, 0, 0, 0, -0.5]);
});

Deno.test("scoreCredit skips the critic when W_process is 0 and sends the gold only when asked", async () => {
  const seen: CritiqueRequest[][] = [];
  const critique = (requests: CritiqueRequest[]) => {
    seen.push(requests);
    return Promise.resolve(requests.map((r) => ({
      steps: splitSteps(r.response),
      critiques: [],
      validCount: 0,
      wrongness: splitSteps(r.response).map(() => 0),
      hasSignal: false,
    })));
  };
  const request = { version: 1, items: [{ prompt: "p", gold: "3", ...tokens("\\boxed{3}") }] };
  const skipped = await scoreCredit(request, { critique }, { wProcess: 0 });
  assert.equal(seen.length, 0);
  assert.deepEqual(skipped.items[0].rewards, [2]);
  const withRef = await scoreCredit(request, { critique }, { includeReference: true });
  assert.equal(seen[0][0].reference, "3");
  assert.equal(withRef.metrics.fallbacks, 1);
});

Deno.test("parseCreditRequest names the bad field and its value", () => {
  assert.throws(
    () => parseCreditRequest({ version: 2, items: [] }),
    /^TypeError: Cannot read the credit request: version: expected 1, got 2$/,
  );
  assert.throws(
    () =>
      parseCreditRequest({
        version: 1,
        items: [{ prompt: "p", response: "r", gold: "g", offsets: [[0, 1], [4, 1]] }],
      }),
    /items\[0\]\.offsets\[1\]: expected \[start, end\] with 0 <= start <= end, got \[4,1\]/,
  );
  assert.throws(
    () => parseCreditRequest({ version: 1, items: [{ prompt: "p", response: 3 }] }),
    /items\[0\]\.response: expected a string, got 3/,
  );
  assert.throws(
    () => parseCreditRequest({ version: 1, items: [{}, {}] }, { maxItems: 1 }),
    /items: expected at most 1 items, got 2/,
  );
});

Deno.test("scoreCredit judges answers with the verify settings it is given", async () => {
  const critique = () => Promise.resolve([] as CritiqueOutcome[]);
  const request = {
    version: 1,
    items: [{ prompt: "p", gold: "3.14", ...tokens("\\boxed{3.1401}") }],
  };
  const exact = await scoreCredit(request, { critique }, { wProcess: 0 });
  assert.deepEqual(exact.items[0].rewards, [0]);
  const tolerant = await scoreCredit(request, { critique }, {
    wProcess: 0,
    verify: { relativeTolerance: 1e-4 },
  });
  assert.deepEqual(tolerant.items[0].rewards, [2]);
  // The reward's extraction rule stays: an unmarked last number earns nothing either way.
  const unmarked = {
    version: 1,
    items: [{
      prompt: "p",
      gold: "3",
      ...tokens("We add the two numbers together and get 3 in the end"),
    }],
  };
  const out = await scoreCredit(unmarked, { critique }, { wProcess: 0, verify: { percent: true } });
  assert.deepEqual(out.items[0].rewards, [0]);
});
