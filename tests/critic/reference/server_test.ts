import assert from "node:assert/strict";
import { loadTemplate, renderPrompt } from "../../../lib/critic/mod.ts";
import { startReferenceCriticServer } from "../../../lib/critic/reference/mod.ts";
import { splitSteps } from "../../../lib/steps/mod.ts";

async function body(n: number, seed?: number) {
  const { system, user } = renderPrompt(await loadTemplate(), {
    problem: "7+5*3",
    steps: splitSteps("7+5=12\n\n12*3=36\n\n\\boxed{36}"),
  });
  return JSON.stringify({
    model: "m",
    n,
    seed,
    messages: [{ role: "system", content: system }, { role: "user", content: user }],
  });
}

Deno.test("the server answers chat completions with n choices, seed offsets and usage", async () => {
  const noise = { falseFlagRate: 0.5, missedFlagRate: 0.5, seed: 2 };
  const server = await startReferenceCriticServer({ noise });
  try {
    const post = async (n: number, seed?: number) =>
      await (await fetch(`${server.baseUrl}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: await body(n, seed),
      })).json();
    const four = await post(4, 10);
    assert.equal(four.object, "chat.completion");
    assert.deepEqual(four.choices.map((c: { index: number }) => c.index), [0, 1, 2, 3]);
    assert.ok(four.usage.prompt_tokens > 50 && four.usage.completion_tokens > 10);
    // Choice i of a request with seed s is critique s + i: a lone request with seed 12 matches.
    const single = await post(1, 12);
    assert.equal(single.choices[0].message.content, four.choices[2].message.content);
    for (const c of four.choices) assert.match(c.message.content, /\nWrong steps: \[[\d, ]*\]$/);
    const notFound = await fetch(`${server.baseUrl}/nothing`);
    assert.equal(notFound.status, 404);
    await notFound.body?.cancel();
  } finally {
    await server.close();
  }
});

Deno.test("injected faults look like real failures on the wire", async () => {
  const send = async (kind: "429" | "500" | "truncated" | "drop" | "malformed") => {
    const server = await startReferenceCriticServer({
      faults: { rate: 1, kinds: [kind], retryAfterMs: 7 },
    });
    try {
      const response = await fetch(`${server.baseUrl}/chat/completions`, {
        method: "POST",
        body: await body(1),
      });
      let text: string | Error;
      try {
        text = await response.text();
      } catch (error) {
        text = error as Error;
      }
      return { response, text, faults: server.stats.faults };
    } finally {
      await server.close();
    }
  };
  const limited = await send("429");
  assert.equal(limited.response.status, 429);
  assert.equal(limited.response.headers.get("retry-after-ms"), "7");
  assert.equal((await send("500")).response.status, 500);
  const truncated = await send("truncated");
  assert.equal(truncated.response.status, 200);
  assert.throws(() => JSON.parse(truncated.text as string), SyntaxError);
  const dropped = await send("drop");
  assert.ok(dropped.text instanceof Error, "the body read fails mid-way");
  const malformed = await send("malformed");
  assert.doesNotMatch(
    JSON.parse(malformed.text as string).choices[0].message.content,
    /Wrong steps/,
  );
  assert.equal(malformed.faults.malformed, 1);
});

Deno.test("the server rejects noise and fault rates outside [0, 1]", async () => {
  await assert.rejects(
    () => startReferenceCriticServer({ noise: { falseFlagRate: 1.5 } }),
    /falseFlagRate in \[0, 1\], got 1\.5/,
  );
  await assert.rejects(() => startReferenceCriticServer({ faults: { rate: -1 } }), RangeError);
});
