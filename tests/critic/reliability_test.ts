import assert from "node:assert/strict";
import { CriticClient } from "../../lib/critic/mod.ts";
import { startReferenceCriticServer } from "../../lib/critic/reference/mod.ts";
import { generateSftTraces, generateSyntheticTask } from "../../lib/data/mod.ts";

function batch(size: number, seed: number) {
  const { train } = generateSyntheticTask({ seed, trainSize: size, validSize: 0, testSize: 0 });
  return generateSftTraces(train, { seed }).map((t) => ({
    problem: t.problem.question,
    response: t.response,
  }));
}

Deno.test("a batch of hundreds of critiques completes under injected faults with bounded retries", async () => {
  const server = await startReferenceCriticServer({
    port: 0,
    faults: { rate: 0.2, seed: 3, hangMs: 5_000, retryAfterMs: 5 },
  });
  try {
    const lines: string[] = [];
    const maxAttempts = 5;
    const client = new CriticClient({
      baseUrl: server.baseUrl,
      k: 4,
      useN: false,
      concurrency: 16,
      timeoutMs: 150,
      maxAttempts,
      retryBaseDelayMs: 5,
      retryMaxDelayMs: 40,
    }, { seed: 1, log: (l) => lines.push(l) });
    const responses = batch(150, 2);
    const started = performance.now();
    const { outcomes, metrics } = await client.critiqueBatch(responses);
    const wallMs = performance.now() - started;

    assert.equal(outcomes.length, 150);
    assert.equal(metrics.critiques, 600);
    // Every injected fault kind happened.
    for (const [kind, count] of Object.entries(server.stats.faults)) assert.ok(count > 0, kind);
    // Every response has a verdict or is a counted fallback.
    assert.equal(metrics.fallbacks, outcomes.filter((o) => !o.hasSignal).length);
    for (const o of outcomes) {
      assert.equal(o.critiques.length, 4);
      assert.equal(o.wrongness.length, o.steps.length);
      for (const c of o.critiques) assert.ok(c.wrongSteps !== null || c.reason.length > 0);
    }
    assert.ok(outcomes.filter((o) => o.hasSignal).length >= 145);
    // Retries are bounded and accounted for: each critique is one request plus its retries.
    assert.ok(metrics.retries > 0);
    assert.equal(metrics.requests, 600 + metrics.retries);
    assert.equal(server.stats.requests, metrics.requests, "every attempt reached the server");
    assert.ok(metrics.requests <= metrics.requestBudget);
    assert.equal(metrics.requestBudget, 600 * maxAttempts);
    assert.ok(metrics.failedCritiques <= 3, `failed critiques ${metrics.failedCritiques}`);
    assert.ok(metrics.failures.parse > 0, "malformed critiques were counted");
    for (const kind of ["timeout", "connection", "http_429", "http_5xx", "malformed"] as const) {
      assert.ok(metrics.failures[kind] > 0, `${kind} attempts were counted`);
    }
    assert.equal(lines.filter((l) => l.startsWith("critic retry")).length, metrics.retries);
    assert.ok(wallMs < 20_000, `took ${wallMs} ms`);
  } finally {
    await server.close();
  }
});

Deno.test("a planted API key never reaches the cache, metrics, outcomes or logs", async () => {
  const planted = `sk-planted-${crypto.randomUUID()}`;
  const envName = "CAPO_TEST_PLANTED_CRITIC_KEY";
  Deno.env.set(envName, planted);
  const server = await startReferenceCriticServer({
    port: 0,
    faults: { rate: 0.3, seed: 5, kinds: ["429", "500", "truncated"], retryAfterMs: 1 },
  });
  const cacheDir = await Deno.makeTempDir();
  try {
    const lines: string[] = [];
    let sentKey = false;
    const spy: typeof fetch = (input, init) => {
      sentKey ||= new Headers(init?.headers).get("authorization") === `Bearer ${planted}`;
      return fetch(input, init);
    };
    const config = {
      baseUrl: server.baseUrl,
      apiKeyEnv: envName,
      k: 2,
      cacheDir,
      retryBaseDelayMs: 1,
      // Enough attempts that every critique of the first run gets through and is cached.
      maxAttempts: 8,
    };
    const client = new CriticClient(config, { fetch: spy, log: (l) => lines.push(l) });
    const result = await client.critiqueBatch(batch(40, 7));
    const rerun = await new CriticClient(config, { fetch: spy }).critiqueBatch(batch(40, 7));
    assert.ok(sentKey, "the key was read from the environment and sent");
    assert.ok(lines.length > 0, "retries were logged");
    assert.equal(rerun.metrics.requests, 0);

    const haystacks = [
      JSON.stringify(result),
      JSON.stringify(rerun),
      JSON.stringify(client.config),
      JSON.stringify(client),
      lines.join("\n"),
    ];
    for await (const sub of Deno.readDir(cacheDir)) {
      for await (const f of Deno.readDir(`${cacheDir}/${sub.name}`)) {
        haystacks.push(await Deno.readTextFile(`${cacheDir}/${sub.name}/${f.name}`));
      }
    }
    assert.ok(haystacks.length > 40);
    for (const text of haystacks) assert.ok(!text.includes(planted), "planted key leaked");
    assert.ok(haystacks.some((t) => t.includes(envName)), "the variable's name may be recorded");
  } finally {
    Deno.env.delete(envName);
    await server.close();
    await Deno.remove(cacheDir, { recursive: true });
  }
});
