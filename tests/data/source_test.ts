import assert from "node:assert/strict";
import { fetchSourceFile, isRemote, readSource } from "../../lib/data/mod.ts";
import { sha256File, sha256Hex } from "../../lib/util/mod.ts";

/** A local HTTP server on 127.0.0.1 (free port) serving fixed bodies and counting requests. */
function serve(files: Record<string, string | Uint8Array<ArrayBuffer>>) {
  const hits: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const path = new URL(req.url).pathname;
    hits.push(path);
    const body = files[path];
    return body === undefined ? new Response("nope", { status: 404 }) : new Response(body);
  });
  return { base: `http://127.0.0.1:${server.addr.port}`, hits, close: () => server.shutdown() };
}

Deno.test("readSource reads a local path and a file: URL with their sha256", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/a.jsonl`;
    await Deno.writeTextFile(path, '{"x":1}\n');
    const src = await readSource(path);
    assert.equal(src.origin, "file");
    assert.equal(src.sha256, await sha256Hex('{"x":1}\n'));
    assert.equal(new TextDecoder().decode(src.bytes), '{"x":1}\n');
    const viaUrl = await readSource(`file://${path}`);
    assert.equal(viaUrl.sha256, src.sha256);
    await assert.rejects(() => readSource(`${dir}/missing.jsonl`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readSource downloads a URL once, then reuses the verified cache entry", async () => {
  const dir = await Deno.makeTempDir();
  const server = serve({ "/d.jsonl": '{"q":"1+1"}\n' });
  try {
    const url = `${server.base}/d.jsonl`;
    const first = await readSource(url, { cacheDir: dir });
    assert.equal(first.origin, "download");
    assert.equal(first.sha256, await sha256Hex('{"q":"1+1"}\n'));
    assert.ok(first.path.startsWith(dir));
    assert.ok(first.path.includes(await sha256Hex(url)), "cache entry keyed by the URL's sha256");
    const second = await readSource(url, { cacheDir: dir });
    assert.equal(second.origin, "cache");
    assert.equal(second.sha256, first.sha256);
    assert.equal(server.hits.length, 1);
    const again = await readSource(url, { cacheDir: dir, refresh: true });
    assert.equal(again.origin, "download");
    assert.equal(server.hits.length, 2);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readSource re-downloads a corrupt or truncated cache entry", async () => {
  const dir = await Deno.makeTempDir();
  const server = serve({ "/d.jsonl": '{"q":"2+2"}\n' });
  try {
    const url = `${server.base}/d.jsonl`;
    const first = await readSource(url, { cacheDir: dir });
    await Deno.writeTextFile(first.path, '{"q":"2+3"}\n'); // bit rot
    const second = await readSource(url, { cacheDir: dir });
    assert.equal(second.origin, "download");
    assert.equal(second.sha256, first.sha256);
    assert.equal(await Deno.readTextFile(first.path), '{"q":"2+2"}\n', "entry repaired");
    await Deno.remove(first.path); // data gone, record left
    assert.equal((await readSource(url, { cacheDir: dir })).origin, "download");
    assert.equal((await readSource(url, { cacheDir: dir })).origin, "cache");
    assert.equal(server.hits.length, 3);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readSource uses an injected fetch and reports HTTP failures", async () => {
  const dir = await Deno.makeTempDir();
  const seen: string[] = [];
  const fakeFetch = ((input: string | URL | Request) => {
    const url = String(input);
    seen.push(url);
    return Promise.resolve(
      url.endsWith("/ok.json") ? new Response("[]") : new Response("gone", {
        status: 404,
        statusText: "Not Found",
      }),
    );
  }) as typeof fetch;
  try {
    const ok = await readSource("https://example.invalid/ok.json", {
      cacheDir: dir,
      fetch: fakeFetch,
    });
    assert.equal(new TextDecoder().decode(ok.bytes), "[]");
    await assert.rejects(
      () => readSource("https://example.invalid/missing.json", { cacheDir: dir, fetch: fakeFetch }),
      /Cannot download https:\/\/example\.invalid\/missing\.json: expected HTTP status 2xx, got 404/,
    );
    const failing = (() => Promise.reject(new TypeError("connection refused"))) as typeof fetch;
    await assert.rejects(
      () => readSource("https://example.invalid/x.json", { cacheDir: dir, fetch: failing }),
      /connection refused/,
    );
    assert.deepEqual(seen, [
      "https://example.invalid/ok.json",
      "https://example.invalid/missing.json",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readSource enforces a pinned sha256", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/a.json`;
    await Deno.writeTextFile(path, "[]");
    const digest = await sha256Hex("[]");
    assert.equal((await readSource(path, { expectedSha256: digest.toUpperCase() })).sha256, digest);
    await assert.rejects(
      () => readSource(path, { expectedSha256: "0".repeat(64) }),
      new RegExp(`expected sha256 0{64}, got ${digest}`),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("isRemote tells URLs from paths", () => {
  assert.equal(isRemote("https://x.org/a.jsonl"), true);
  assert.equal(isRemote("HTTP://x.org/a.jsonl"), true);
  assert.equal(isRemote("data/a.jsonl"), false);
  assert.equal(isRemote("file:///tmp/a.jsonl"), false);
});

Deno.test("readSource times out a stalled download and keeps pin failures out of the cache", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // A fetch that never answers until its signal aborts.
    const stalled = ((_input: string | URL | Request, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener("abort", () =>
          reject(init.signal!.reason));
      })) as typeof fetch;
    await assert.rejects(
      () =>
        readSource("https://example.invalid/slow.jsonl", {
          cacheDir: dir,
          fetch: stalled,
          timeoutMs: 20,
        }),
      /Cannot download https:\/\/example\.invalid\/slow\.jsonl: expected a response, got .*(Timeout|timed out)/i,
    );
    let calls = 0;
    const fixed = (() => (calls++, Promise.resolve(new Response("[1]")))) as typeof fetch;
    const url = "https://example.invalid/pinned.json";
    await assert.rejects(
      () => readSource(url, { cacheDir: dir, fetch: fixed, expectedSha256: "f".repeat(64) }),
      /expected sha256 f{64}/,
    );
    assert.equal((await readSource(url, { cacheDir: dir, fetch: fixed })).origin, "download");
    assert.equal(calls, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fetchSourceFile streams a large body into the cache, hashing as it goes; a body that breaks off leaves nothing", async () => {
  const dir = await Deno.makeTempDir();
  const chunk = new Uint8Array(1 << 20).map((_, i) => i % 251);
  const chunks = 24; // 24 MiB in 1 MiB pieces
  let breakAfter = Infinity;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    let sent = 0;
    return new Response(
      new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent === breakAfter) controller.error(new Error("connection reset"));
          else if (sent === chunks) controller.close();
          else (sent++, controller.enqueue(chunk));
        },
      }),
    );
  });
  try {
    const url = `http://127.0.0.1:${server.addr.port}/model.safetensors`;
    const whole = new Uint8Array(chunk.length * chunks);
    for (let i = 0; i < chunks; i++) whole.set(chunk, i * chunk.length);
    const file = await fetchSourceFile(url, { cacheDir: dir });
    assert.equal(file.origin, "download");
    assert.equal(file.sha256, await sha256Hex(whole));
    assert.equal(await sha256File(file.path), file.sha256);
    assert.equal((await Deno.stat(file.path)).size, whole.length);
    assert.equal((await fetchSourceFile(url, { cacheDir: dir })).origin, "cache");

    breakAfter = 3;
    await assert.rejects(
      () => fetchSourceFile(`${url}?v=2`, { cacheDir: dir }),
      /^Error: Cannot download .*v=2: the body broke off after 3145728 bytes/,
    );
    const left = [];
    for await (const e of Deno.readDir(dir)) left.push(e.name);
    assert.equal(left.length, 2, `only the first entry and its record stay: ${left}`);
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
