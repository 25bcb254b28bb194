import assert from "node:assert/strict";
import {
  CriticClient,
  type CritiqueRequest,
  DEFAULT_CRITIC_CONFIG,
  formatFailures,
} from "../../lib/critic/mod.ts";
import { startReferenceCriticServer } from "../../lib/critic/reference/mod.ts";

const requests: CritiqueRequest[] = [
  { problem: "7+5*3", response: "7+5=12\n\n12*3=37\n\n\\boxed{37}" },
  { problem: "2+2", response: "2+2=4\n\n\\boxed{4}" },
  { problem: "9-3", response: "9-3=5\n\n\\boxed{5}" },
];
const fast = { retryBaseDelayMs: 5, retryMaxDelayMs: 20 };

Deno.test("the client critiques, parses and votes through the OpenAI-compatible server", async () => {
  const server = await startReferenceCriticServer({ port: 0 });
  try {
    const client = new CriticClient({ baseUrl: server.baseUrl, k: 3 });
    const { outcomes, metrics } = await client.critiqueBatch(requests);
    assert.deepEqual(outcomes.map((o) => o.wrongness), [[0, 1, 1], [0, 0], [1, 1]]);
    assert.ok(outcomes.every((o) => o.hasSignal && o.validCount === 3 && o.critiques.length === 3));
    assert.equal(metrics.requests, 3, "one request with n = 3 per response");
    assert.equal(server.stats.choices, 9);
    assert.equal(metrics.critiques, 9);
    assert.ok(metrics.promptTokens > 0 && metrics.completionTokens > 0);
    assert.equal(metrics.fallbacks + metrics.failedCritiques + metrics.retries, 0);
    assert.equal(formatFailures(metrics.failures), "none");
    const models = await (await fetch(`${server.baseUrl}/models`)).json();
    assert.equal(models.data[0].id, DEFAULT_CRITIC_CONFIG.model);
  } finally {
    await server.close();
  }
});

Deno.test("n and repeated calls give the same critiques, and a server ignoring n is filled in", async () => {
  const noise = { falseFlagRate: 0.3, missedFlagRate: 0.3, seed: 1 };
  const server = await startReferenceCriticServer({ port: 0, noise });
  try {
    const texts = async (useN: boolean, fetchImpl?: typeof fetch) => {
      const client = new CriticClient({ baseUrl: server.baseUrl, k: 4, useN }, {
        fetch: fetchImpl,
      });
      const { outcomes, metrics } = await client.critiqueBatch(requests);
      return { texts: outcomes.map((o) => o.critiques.map((c) => c.text)), metrics };
    };
    const withN = await texts(true);
    const repeated = await texts(false);
    assert.deepEqual(repeated.texts, withN.texts);
    assert.equal(repeated.metrics.requests, 12);
    assert.equal(new Set(withN.texts.flat()).size > 3, true, "noise differs per critique index");
    // A server that ignores n: the request body is rewritten to n = 1 on the way out.
    const ignoresN: typeof fetch = (input, init) => {
      const body = JSON.parse(String(init?.body));
      return fetch(input, { ...init, body: JSON.stringify({ ...body, n: 1 }) });
    };
    const filled = await texts(true, ignoresN);
    assert.deepEqual(filled.texts, withN.texts);
    assert.equal(filled.metrics.requests, 12, "1 request with n plus 3 single follow-ups each");
  } finally {
    await server.close();
  }
});

Deno.test("a rerun is served from the cache; a changed temperature, template or corrupt entry is refetched", async () => {
  const server = await startReferenceCriticServer({ port: 0 });
  const cacheDir = await Deno.makeTempDir();
  try {
    const config = { baseUrl: server.baseUrl, k: 2, cacheDir };
    const first = await new CriticClient(config).critiqueBatch(requests);
    assert.equal(first.metrics.requests, 3);
    const rerun = await new CriticClient(config).critiqueBatch(requests);
    assert.equal(rerun.metrics.requests, 0);
    assert.equal(rerun.metrics.cacheHits, 6);
    assert.deepEqual(
      rerun.outcomes.map((o) => o.wrongness),
      first.outcomes.map((o) => o.wrongness),
    );
    assert.ok(rerun.outcomes.every((o) => o.critiques.every((c) => c.cached)));

    // Truncate one entry: it is detected and refetched, the rest are hits.
    let victim = "";
    for await (const sub of Deno.readDir(cacheDir)) {
      for await (const f of Deno.readDir(`${cacheDir}/${sub.name}`)) {
        victim = `${cacheDir}/${sub.name}/${f.name}`;
      }
    }
    await Deno.writeTextFile(victim, (await Deno.readTextFile(victim)).slice(0, 30));
    const repaired = await new CriticClient(config).critiqueBatch(requests);
    assert.equal(repaired.metrics.cacheCorrupt, 1);
    assert.equal(repaired.metrics.requests, 1);
    assert.equal(repaired.metrics.cacheHits, 5);

    const warmer = await new CriticClient({ ...config, temperature: 0.9 }).critiqueBatch(requests);
    assert.equal(warmer.metrics.cacheHits, 0);
    assert.equal(warmer.metrics.requests, 3);

    const builtin = await new CriticClient(config).template();
    const text = await Deno.readTextFile(new URL(builtin.location));
    const custom = `${await Deno.makeTempDir()}/custom.txt`;
    await Deno.writeTextFile(custom, text.replace("meticulous", "careful"));
    const edited = await new CriticClient({ ...config, template: custom }).critiqueBatch(requests);
    assert.equal(edited.metrics.cacheHits, 0);
    assert.equal(edited.metrics.requests, 3);
    await Deno.remove(custom);
  } finally {
    await server.close();
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("the concurrency and requests-per-minute limits hold", async () => {
  const server = await startReferenceCriticServer({ port: 0, latencyMs: 40 });
  try {
    const many = Array.from(
      { length: 24 },
      (_, i) => ({ problem: "1+1", response: `1+${i}=${1 + i}` }),
    );
    await new CriticClient({ baseUrl: server.baseUrl, k: 1, concurrency: 4 }).critiqueBatch(many);
    assert.equal(server.stats.maxInFlight, 4);
    const started = performance.now();
    const { metrics } = await new CriticClient({
      baseUrl: server.baseUrl,
      k: 1,
      requestsPerMinute: 1200, // one start per 50 ms
    }).critiqueBatch(many.slice(0, 6));
    assert.equal(metrics.requests, 6);
    assert.ok(performance.now() - started >= 250, "6 starts span at least 5 intervals");
  } finally {
    await server.close();
  }
});

Deno.test("non-retryable errors, unparseable critiques and empty responses are counted fallbacks", async () => {
  const server = await startReferenceCriticServer({
    port: 0,
    faults: { rate: 1, kinds: ["malformed"] },
  });
  try {
    const lines: string[] = [];
    const bad = new CriticClient({ baseUrl: `${server.baseUrl}/missing`, k: 2, ...fast }, {
      log: (l) => lines.push(l),
    });
    const failed = await bad.critiqueBatch(requests);
    assert.equal(failed.metrics.requests, 3, "a 404 is not retried");
    assert.equal(failed.metrics.failures.http_4xx, 3, "one failed attempt per request");
    assert.equal(failed.metrics.failedCritiques, 6);
    assert.equal(failed.metrics.fallbacks, 3);
    assert.ok(failed.outcomes.every((o) => !o.hasSignal && o.wrongness.every((w) => w === 0)));
    assert.match(failed.outcomes[0].critiques[0].reason, /request failed \(http_4xx\): .*404/);
    assert.match(failed.outcomes[0].reason ?? "", /all 2 critiques failed: http_4xx 2/);
    assert.equal(lines.length, 3);

    const client = new CriticClient({ baseUrl: server.baseUrl, k: 2 });
    const { outcomes, metrics } = await client.critiqueBatch([
      ...requests,
      { problem: "x", response: "  \n\n " },
    ]);
    assert.equal(metrics.failures.parse, 6);
    assert.equal(metrics.fallbacks, 4);
    assert.equal(metrics.requests, 3, "an empty response is not sent");
    assert.deepEqual(outcomes[3], {
      steps: [],
      critiques: [],
      validCount: 0,
      wrongness: [],
      hasSignal: false,
      reason: "the response has no steps",
    });
  } finally {
    await server.close();
  }
});

Deno.test("a missing API key is an error for a remote endpoint and a dummy for a local one", () => {
  const getEnv = () => undefined;
  assert.throws(
    () =>
      new CriticClient({ baseUrl: "https://api.example.com/v1", apiKeyEnv: "NOPE_KEY" }, {
        getEnv,
      }),
    /NOPE_KEY/,
  );
  new CriticClient({ baseUrl: "http://127.0.0.1:1/v1", apiKeyEnv: "NOPE_KEY" }, { getEnv });
  assert.throws(() => new CriticClient({ k: 0 }), RangeError);
  assert.throws(() => new CriticClient({ timeoutMs: 0 }), RangeError);
  assert.throws(() => new CriticClient({ maxAttempts: 0 }), RangeError);
  assert.throws(() => new CriticClient({ requestBudget: -1 }), RangeError);
});
