import assert from "node:assert/strict";
import type { CritiqueRequest } from "../../lib/critic/mod.ts";
import { startReferenceCriticServer } from "../../lib/critic/reference/mod.ts";
import { CriticClient } from "../../lib/critic/mod.ts";
import { startCreditServer } from "../../lib/credit/mod.ts";
import { splitSteps } from "../../lib/steps/mod.ts";

const ITEM = {
  prompt: "What is two plus two?",
  response: "2+2=5\n\n\\boxed{5}",
  offsets: [[0, 5], [5, 7], [7, 16]],
  gold: "4",
};

const noCritic = (requests: CritiqueRequest[]) =>
  Promise.resolve(requests.map((r) => ({
    steps: splitSteps(r.response),
    critiques: [],
    validCount: 0,
    wrongness: splitSteps(r.response).map(() => 0),
    hasSignal: false,
  })));

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/v1/credit`, { method: "POST", body, headers });
  const text = await res.text();
  return { status: res.status, text, json: JSON.parse(text) };
}

Deno.test("the credit server scores a batch over HTTP with the reference critic", async () => {
  const critic = await startReferenceCriticServer({ port: 0 });
  const client = new CriticClient({ baseUrl: critic.baseUrl, k: 2 });
  const server = await startCreditServer({
    critique: async (r) => (await client.critiqueBatch(r)).outcomes,
  }, { k: 2 });
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await (await fetch(`${server.url}/v1/health`)).json();
    assert.deepEqual(health, {
      version: 1,
      settings: { wWhole: 2, wProcess: 1, k: 2, voteRule: "majority", includeReference: false },
    });
    const out = await post(server.url, JSON.stringify({ version: 1, items: [ITEM] }));
    assert.equal(out.status, 200);
    assert.deepEqual(out.json.items[0].rewards, [-1, -1, 0]);
    assert.deepEqual(out.json.items[0].verifier.result, "not_equal");
    assert.deepEqual(server.stats, { batches: 1, items: 1, errors: {} });
  } finally {
    await server.close();
    await critic.close();
  }
});

Deno.test("the credit server answers bad requests with one-line JSON errors", async () => {
  const lines: string[] = [];
  const server = await startCreditServer({ critique: noCritic }, {
    maxBodyBytes: 2000,
    log: (l) => lines.push(l),
  });
  try {
    const bad = await post(server.url, "{not json");
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.code, "bad_json");
    assert.ok(!bad.text.includes("\n"));
    const field = await post(
      server.url,
      JSON.stringify({ version: 1, items: [{ ...ITEM, gold: 4 }] }),
    );
    assert.equal(field.status, 400);
    assert.equal(
      field.json.error.message,
      "Cannot read the credit request: items[0].gold: expected a string, got 4",
    );
    const big = await post(server.url, JSON.stringify({ version: 1, pad: "x".repeat(5000) }));
    assert.equal(big.status, 413);
    const missing = await fetch(`${server.url}/v2/credit`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
    const get = await fetch(`${server.url}/v1/credit`);
    assert.equal(get.status, 405);
    await get.body?.cancel();
    assert.deepEqual(server.stats.errors, { 400: 2, 404: 1, 405: 1, 413: 1 });
    assert.equal(lines.length, 5);
  } finally {
    await server.close();
  }
});

Deno.test("the credit server requires the bearer token named by tokenEnv", async () => {
  const env: Record<string, string> = { CAPO_CREDIT_TOKEN: "s3cret" };
  await assert.rejects(
    startCreditServer({ critique: noCritic }, { tokenEnv: "UNSET_VAR", getEnv: (n) => env[n] }),
    /environment variable UNSET_VAR to hold the bearer token/,
  );
  const server = await startCreditServer({ critique: noCritic }, {
    tokenEnv: "CAPO_CREDIT_TOKEN",
    getEnv: (n) => env[n],
  });
  try {
    const body = JSON.stringify({ version: 1, items: [ITEM] });
    const none = await post(server.url, body);
    assert.equal(none.status, 401);
    assert.ok(!none.text.includes("s3cret"));
    const wrong = await post(server.url, body, { authorization: "Bearer s3cre" });
    assert.equal(wrong.status, 401);
    const ok = await post(server.url, body, { authorization: "Bearer s3cret" });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.json.items[0].rewards, [0, 0, 0]);
  } finally {
    await server.close();
  }
});

Deno.test("deno task credit:serve prints its URL and serves until SIGTERM", async () => {
  const cli = new URL("../../lib/cli/credit_serve.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      "--allow-read",
      "--allow-env",
      cli,
      "--port",
      "0",
      "--k",
      "2",
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    let first = "";
    const deadline = Date.now() + 60_000;
    while (!first.includes("\n") && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      first += value;
    }
    const url = first.match(/listening on (http:\/\/127\.0\.0\.1:\d+)\/v1\/credit/)?.[1];
    assert.ok(url, `no URL in: ${first}`);
    assert.match(first, /k 2, majority vote, W_whole 2, W_process 1/);
    const out = await post(url, JSON.stringify({ version: 1, items: [ITEM] }));
    assert.deepEqual(out.json.items[0].rewards, [-1, -1, 0]);
  } finally {
    child.kill("SIGTERM");
    const rest = await reader.read().then(async (r) => {
      let text = r.value ?? "";
      for (let i = 0; i < 10 && !r.done; i++) {
        r = await reader.read();
        text += r.value ?? "";
      }
      return text;
    });
    await child.stderr.cancel();
    const status = await child.status;
    assert.equal(status.code, 0);
    assert.match(rest, /scored 1 items in 1 batches/);
  }
});
