import assert from "node:assert/strict";
import {
  CRITIC_SECTION_SCHEMA,
  CriticFailureRateError,
  type CriticSection,
  DEFAULT_CRITIC_SECTION,
  openCritic,
  parseCriticSection,
} from "../../lib/critic/mod.ts";
import { startReferenceCriticServer } from "../../lib/critic/reference/mod.ts";
import { describeSchema } from "../../lib/config/schema.ts";
import { sha256Hex } from "../../lib/util/mod.ts";
import { startFaultyServer } from "./_faulty_server.ts";

const REQUESTS = [
  { problem: "7+5*3", response: "7+5=12\n\n12*3=37\n\n\\boxed{37}", reference: "22" },
  { problem: "2+2", response: "2+2=4\n\n\\boxed{4}", reference: "4" },
  { problem: "9-3", response: "9-3=5\n\n\\boxed{5}", reference: "6" },
];

Deno.test("the critic section fills defaults and names the key of a bad value in one line", () => {
  const section = parseCriticSection(undefined);
  assert.deepEqual(section, DEFAULT_CRITIC_SECTION);
  assert.equal(section.baseUrl, "", "the reference critic by default");
  assert.equal(section.maxFailureRate, 0.5);
  assert.deepEqual(section.reference, { falseFlagRate: 0.1, missedFlagRate: 0.2, latencyMs: 0 });
  const keys = describeSchema(CRITIC_SECTION_SCHEMA).map((r) => r.key);
  assert.deepEqual(keys, [
    "baseUrl",
    "model",
    "apiKeyEnv",
    "template",
    "k",
    "voteRule",
    "m",
    "temperature",
    "maxTokens",
    "concurrency",
    "requestsPerMinute",
    "timeoutMs",
    "maxAttempts",
    "cacheDir",
    "includeReference",
    "maxFailureRate",
    "reference.falseFlagRate",
    "reference.missedFlagRate",
    "reference.latencyMs",
  ]);
  for (
    const [bad, key] of [
      [{ k: 0 }, "critic.k"],
      [{ voteRule: "toString" }, "critic.voteRule"],
      [{ reference: { falseFlagRate: 2 } }, "critic.reference.falseFlagRate"],
      [{ timeoutMs: "fast" }, "critic.timeoutMs"],
      [{ retries: 3 }, "critic.retries"],
      // A pasted key is not a variable name: it is refused rather than carried into lineage.
      [{ apiKeyEnv: "sk-live-1234" }, "critic.apiKeyEnv"],
    ] as const
  ) {
    assert.throws(
      () => parseCriticSection(bad),
      (e: Error) =>
        e instanceof SyntaxError && e.message.includes(key) && !e.message.includes("\n"),
      key,
    );
  }
});

Deno.test("openCritic starts the reference critic on 127.0.0.1, records the template text's sha256, and closes it", async () => {
  const critic = await openCritic({ ...DEFAULT_CRITIC_SECTION, k: 2 }, { seed: 3 });
  let closed = false;
  try {
    assert.match(critic.baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const { outcomes, metrics } = await critic.critique(REQUESTS);
    assert.equal(outcomes.length, 3);
    assert.ok(outcomes.every((o) => o.hasSignal));
    assert.equal(metrics.critiques, 6);
    assert.equal(critic.totals().critiques, 6);
    const record = critic.record();
    const text = await Deno.readTextFile(
      new URL("../../lib/critic/templates/genprm_v1.txt", import.meta.url),
    );
    assert.equal(record.templateSha256, await sha256Hex(text));
    assert.notEqual(record.templateSha256, await sha256Hex("genprm_v1"));
    assert.equal(record.source, "reference");
    assert.equal(record.baseUrl, "", "the ephemeral port is not lineage");
    assert.deepEqual(record.reference, DEFAULT_CRITIC_SECTION.reference);
    assert.equal(record.seed, 3);
    await critic.close();
    closed = true;
    await critic.close(); // idempotent
    await assert.rejects(() => fetch(`${critic.baseUrl}/models`), TypeError);
  } finally {
    if (!closed) await critic.close();
  }
});

Deno.test("an endpoint critic gives the reference critic's numbers and records no key", async () => {
  const server = await startReferenceCriticServer({
    port: 0,
    noise: { falseFlagRate: 0.3, missedFlagRate: 0.3, seed: 5 },
  });
  const planted = `sk-planted-${crypto.randomUUID()}`;
  const section: CriticSection = {
    ...DEFAULT_CRITIC_SECTION,
    reference: { falseFlagRate: 0.3, missedFlagRate: 0.3, latencyMs: 0 },
  };
  const inProcess = await openCritic(section, { seed: 5 });
  const endpoint = await openCritic({
    ...section,
    baseUrl: server.baseUrl.replace("http://", "http://user:pw@") + "?token=x",
    apiKeyEnv: "CAPO_TEST_CRITIC_KEY",
  }, { seed: 5, getEnv: (name) => (name === "CAPO_TEST_CRITIC_KEY" ? planted : undefined) });
  try {
    const a = await inProcess.critique(REQUESTS);
    const b = await endpoint.critique(REQUESTS);
    assert.deepEqual(b.outcomes.map((o) => o.wrongness), a.outcomes.map((o) => o.wrongness));
    const record = endpoint.record();
    assert.equal(record.source, "endpoint");
    assert.equal(record.baseUrl, server.baseUrl, "no user info, no query");
    assert.equal(record.apiKeyEnv, "CAPO_TEST_CRITIC_KEY");
    assert.equal(record.reference, null);
    assert.ok(!JSON.stringify(record).includes(planted));
    assert.ok(!JSON.stringify(b).includes(planted));
  } finally {
    await inProcess.close();
    await endpoint.close();
    await server.close();
  }
});

Deno.test("a missing API-key variable is a one-line TypeError naming it, and starts nothing", async () => {
  for (const baseUrl of ["", "http://127.0.0.1:9/v1"]) {
    await assert.rejects(
      () =>
        openCritic({ ...DEFAULT_CRITIC_SECTION, baseUrl, apiKeyEnv: "CAPO_NO_SUCH_KEY" }, {
          seed: 0,
          getEnv: () => undefined,
        }),
      (e: Error) =>
        e instanceof TypeError && e.message.includes("CAPO_NO_SUCH_KEY") &&
        !e.message.includes("\n"),
    );
  }
  await assert.rejects(
    () => openCritic({ ...DEFAULT_CRITIC_SECTION, baseUrl: "127.0.0.1:8000" }, { seed: 0 }),
    /http\(s\) URL/,
  );
  await assert.rejects(
    () => openCritic({ ...DEFAULT_CRITIC_SECTION, template: "no_such_template" }, { seed: 0 }),
    Deno.errors.NotFound,
  );
});

Deno.test("maxFailureRate stops a batch whose critiques mostly failed, naming the kinds", async () => {
  const server = await startFaultyServer();
  const section: CriticSection = {
    ...DEFAULT_CRITIC_SECTION,
    baseUrl: `${server.url}/http_500/v1`,
    k: 2,
    maxAttempts: 2,
    timeoutMs: 500,
  };
  try {
    const strict = await openCritic(section, { seed: 0 });
    await assert.rejects(
      () => strict.critique(REQUESTS),
      (e: Error) =>
        e instanceof CriticFailureRateError && /failed on 6 of 6 critiques/.test(e.message) &&
        e.message.includes("http_5xx 6"),
    );
    assert.equal(strict.totals().failures.http_5xx, 6, "the failed batch still counts");
    const lenient = await openCritic({ ...section, maxFailureRate: 1 }, { seed: 0 });
    const { outcomes } = await lenient.critique(REQUESTS);
    assert.ok(outcomes.every((o) => !o.hasSignal && /http_5xx/.test(o.reason ?? "")));
  } finally {
    await server.close();
  }
});

Deno.test("the critic client imports neither datasets nor evaluation harnesses", async () => {
  const dir = new URL("../../lib/critic/", import.meta.url);
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !entry.name.endsWith(".ts")) continue;
    const text = await Deno.readTextFile(new URL(entry.name, dir));
    assert.ok(
      !/from "\.\.\/(data|eval)\//.test(text),
      `lib/critic/${entry.name} imports data/eval`,
    );
  }
});
