/**
 * The adversarial endpoint suite: a raw TCP server on 127.0.0.1 that misbehaves in every way an
 * OpenAI-compatible endpoint has been seen to (malformed 200 answers, 4xx, 429, 5xx, resets, torn
 * bodies, silence, slow drips). For each: the call ends within its bound, the failure is counted by
 * kind, nothing is cached and the request count stays within the budget.
 */
import assert from "node:assert/strict";
import {
  CriticClient,
  type CriticConfig,
  CriticConnectionError,
  type CriticFailureKind,
  type CritiqueRequest,
} from "../../lib/critic/mod.ts";
import { startFaultyServer } from "./_faulty_server.ts";

const REQUESTS: CritiqueRequest[] = [
  { problem: "7+5*3", response: "7+5=12\n\n12*3=37\n\n\\boxed{37}" },
  { problem: "2+2", response: "2+2=4\n\n\\boxed{4}" },
];
const BASE: Partial<CriticConfig> = {
  k: 2,
  maxAttempts: 3,
  timeoutMs: 300,
  retryBaseDelayMs: 20,
  retryMaxDelayMs: 60,
};
// Headroom for a loaded 2-core machine on top of the computed bound.
const SLACK_MS = 1500;

interface Case {
  mode: string;
  kind: CriticFailureKind;
  retried: boolean;
}

const CASES: Case[] = [
  { mode: "empty_choices", kind: "malformed", retried: true },
  { mode: "no_message", kind: "malformed", retried: true },
  { mode: "null_content", kind: "malformed", retried: true },
  { mode: "html", kind: "malformed", retried: true },
  { mode: "error_in_200", kind: "malformed", retried: true },
  { mode: "truncated_json", kind: "malformed", retried: true },
  { mode: "http_401", kind: "http_4xx", retried: false },
  { mode: "http_404_model", kind: "http_4xx", retried: false },
  { mode: "http_413", kind: "http_4xx", retried: false },
  { mode: "http_429_retry_after", kind: "http_429", retried: true },
  { mode: "http_429", kind: "http_429", retried: true },
  { mode: "http_500", kind: "http_5xx", retried: true },
  { mode: "http_503", kind: "http_5xx", retried: true },
  { mode: "reset", kind: "connection", retried: true },
  { mode: "torn_body", kind: "connection", retried: true },
  { mode: "hang", kind: "timeout", retried: true },
  { mode: "drip", kind: "timeout", retried: true },
];

async function countFiles(dir: string): Promise<number> {
  let n = 0;
  for await (const entry of Deno.readDir(dir)) {
    n += entry.isDirectory ? await countFiles(`${dir}/${entry.name}`) : 1;
  }
  return n;
}

for (const { mode, kind, retried } of CASES) {
  Deno.test(`a critic endpoint answering "${mode}" fails as counted ${kind} within its bound and caches nothing`, async () => {
    const server = await startFaultyServer();
    const cacheDir = await Deno.makeTempDir();
    try {
      const config = { ...BASE, baseUrl: `${server.url}/${mode}/v1`, cacheDir };
      const client = new CriticClient(config, { seed: 1 });
      const started = performance.now();
      const { outcomes, metrics } = await client.critiqueBatch(REQUESTS);
      const wallMs = performance.now() - started;

      const attempts = retried ? BASE.maxAttempts! : 1;
      const bound = attempts * BASE.timeoutMs! + (attempts - 1) * BASE.retryMaxDelayMs!;
      assert.ok(wallMs < bound + SLACK_MS, `took ${wallMs.toFixed(0)} ms, bound ${bound} ms`);
      // One request with n = k per response, each tried `attempts` times.
      assert.equal(metrics.requests, REQUESTS.length * attempts);
      assert.ok(metrics.requests <= metrics.requestBudget);
      assert.equal(server.requests(mode), metrics.requests, "every counted request reached it");
      assert.equal(metrics.failures[kind], metrics.requests, `failures ${JSON.stringify(metrics)}`);
      const others = Object.entries(metrics.failures).filter(([k, n]) => k !== kind && n > 0);
      assert.deepEqual(others, [], "no failure counted under another kind");
      assert.equal(metrics.retries, REQUESTS.length * (attempts - 1));
      assert.equal(metrics.failedCritiques, REQUESTS.length * BASE.k!);
      assert.equal(metrics.fallbacks, REQUESTS.length);
      for (const outcome of outcomes) {
        assert.equal(outcome.hasSignal, false);
        assert.ok(outcome.wrongness.every((w) => w === 0));
        assert.match(outcome.reason ?? "", new RegExp(`all 2 critiques failed: ${kind} 2`));
      }
      assert.equal(await countFiles(cacheDir), 0, "a failure is never cached");
    } finally {
      await server.close();
      await Deno.remove(cacheDir, { recursive: true });
    }
  });
}

Deno.test("critiques without a verdict are counted parse failures, not retried and never cached", async () => {
  const server = await startFaultyServer();
  const cacheDir = await Deno.makeTempDir();
  try {
    const client = new CriticClient({ ...BASE, baseUrl: `${server.url}/no_verdict/v1`, cacheDir });
    const { metrics, outcomes } = await client.critiqueBatch(REQUESTS);
    assert.equal(metrics.requests, REQUESTS.length);
    assert.equal(metrics.failures.parse, REQUESTS.length * BASE.k!);
    assert.equal(metrics.failedCritiques, 0, "the requests themselves succeeded");
    assert.ok(
      outcomes.every((o) => !o.hasSignal && /all 2 critiques failed: parse 2/.test(o.reason!)),
    );
    assert.equal(await countFiles(cacheDir), 0);
  } finally {
    await server.close();
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("a request budget caps the requests of one call and counts the critiques it left unsent", async () => {
  const server = await startFaultyServer();
  try {
    const client = new CriticClient({
      ...BASE,
      baseUrl: `${server.url}/http_500/v1`,
      maxAttempts: 10,
      requestBudget: 5,
      concurrency: 1,
    });
    const { metrics, outcomes } = await client.critiqueBatch(REQUESTS);
    assert.equal(metrics.requests, 5);
    assert.equal(server.requests("http_500"), 5);
    assert.equal(metrics.failures.http_5xx, 5);
    assert.ok(metrics.failures.budget >= 1);
    assert.ok(outcomes.every((o) => !o.hasSignal));
  } finally {
    await server.close();
  }
});

Deno.test("a server that ignores n is filled in with single requests, never looping", async () => {
  const server = await startFaultyServer();
  try {
    const client = new CriticClient({ ...BASE, k: 4, baseUrl: `${server.url}/one_choice/v1` });
    const { metrics, outcomes } = await client.critiqueBatch(REQUESTS);
    // Per response: one request for n = 4 answered with one choice, then three single requests.
    assert.equal(metrics.requests, REQUESTS.length * 4);
    assert.equal(metrics.partialAnswers, REQUESTS.length);
    assert.equal(metrics.failedCritiques, 0);
    assert.ok(outcomes.every((o) => o.hasSignal && o.validCount === 4));
  } finally {
    await server.close();
  }
});

Deno.test("a refused connection ends the call within seconds with one line naming the URL", async () => {
  // Bind a port, then free it: nothing listens there.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const baseUrl = `http://127.0.0.1:${port}/v1`;
  const many = Array.from({ length: 40 }, (_, i) => ({ ...REQUESTS[i % 2] }));
  const client = new CriticClient({ ...BASE, baseUrl, maxAttempts: 5, timeoutMs: 60_000 });
  const started = performance.now();
  const error = await client.critiqueBatch(many).then(
    () => assert.fail("expected a CriticConnectionError"),
    (e) => e,
  );
  const wallMs = performance.now() - started;
  assert.ok(error instanceof CriticConnectionError, String(error));
  assert.equal(error.refused, true);
  assert.ok(error.message.includes(`127.0.0.1:${port}/v1`), error.message);
  assert.ok(!error.message.includes("\n"), "one line");
  assert.ok(wallMs < 3000, `took ${wallMs.toFixed(0)} ms`);
});
