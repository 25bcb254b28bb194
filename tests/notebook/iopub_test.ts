// Tests lib/notebook/_iopub.ts (the output fence) against a fake kernel IOPub socket on loopback:
// a ZMTP 3.0 PUB peer that publishes what the injected `broadcast` queues, or never publishes.
import assert from "node:assert/strict";
import { fenceOutputs } from "../../lib/notebook/_iopub.ts";

const encoder = new TextEncoder();

async function readExact(conn: Deno.Conn, n: number): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  for (let got = 0; got < n;) {
    const read = await conn.read(out.subarray(got));
    if (read === null) throw new Error("closed");
    got += read;
  }
  return out;
}

async function readFrame(conn: Deno.Conn): Promise<{ flags: number; data: Uint8Array }> {
  const [flags] = await readExact(conn, 1);
  const [size] = await readExact(conn, 1); // the fence sends short frames only
  return { flags, data: await readExact(conn, size) };
}

function frame(data: Uint8Array, flags: number): Uint8Array {
  const long = data.length > 255;
  const out = new Uint8Array((long ? 9 : 2) + data.length);
  out[0] = flags | (long ? 0x02 : 0);
  if (long) new DataView(out.buffer).setBigUint64(1, BigInt(data.length));
  else out[1] = data.length;
  out.set(data, long ? 9 : 2);
  return out;
}

/** A fake PUB socket; `publish` sends a Jupyter-shaped multipart message to every subscriber. */
function fakeIopub(options: { publishes: boolean }) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const subscribers: Deno.Conn[] = [];
  const handshakes: string[] = [];
  const accepting = (async () => {
    for await (const conn of listener) {
      const greeting = new Uint8Array(64);
      greeting[0] = 0xff;
      greeting[9] = 0x7f;
      greeting[10] = 3;
      greeting.set(encoder.encode("NULL"), 12);
      await conn.write(greeting);
      const theirs = await readExact(conn, 64);
      const ready = await readFrame(conn);
      handshakes.push(`${theirs[10]}.${theirs[11]} ${new TextDecoder().decode(ready.data)}`);
      await conn.write(frame(encoder.encode("\x05READY"), 0x04));
      await readFrame(conn); // the subscription
      subscribers.push(conn);
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    handshakes,
    publish: async (type: string, content: Record<string, unknown>) => {
      if (!options.publishes) return;
      // Large enough to need a long frame, like a real chart.
      const parts = ["<IDS|MSG>", "sig", `{"msg_type":"${type}"}`, "{}", "{}"]
        .map((p) => encoder.encode(p))
        .concat([encoder.encode(JSON.stringify({ ...content, pad: "x".repeat(4000) }))]);
      for (const conn of subscribers) {
        for (const [i, part] of parts.entries()) {
          await conn.write(frame(part, i < parts.length - 1 ? 0x01 : 0));
        }
      }
    },
    close: async () => {
      listener.close();
      for (const conn of subscribers) conn.close();
      await accepting;
    },
  };
}

async function withConnectionFile<T>(port: number, fn: (file: string) => Promise<T>): Promise<T> {
  const file = await Deno.makeTempFile({ suffix: ".json" });
  await Deno.writeTextFile(file, JSON.stringify({ ip: "127.0.0.1", iopub_port: port }));
  try {
    return await fn(file);
  } finally {
    await Deno.remove(file);
  }
}

Deno.test("fenceOutputs returns once its probe comes back through the kernel's IOPub socket", async () => {
  const server = fakeIopub({ publishes: true });
  const sent: string[] = [];
  try {
    const result = await withConnectionFile(server.port, (connectionFile) =>
      fenceOutputs({
        connectionFile,
        timeoutMs: 5000,
        broadcast: (type, content) => {
          sent.push(type);
          server.publish(type, content);
        },
      }));
    assert.deepEqual(result, { ok: true });
    assert.ok(sent.length >= 1 && sent.every((t) => t === "update_display_data"), sent.join());
    assert.equal(server.handshakes.length, 1);
    assert.equal(server.handshakes[0], "3.0 \x05READY\x0bSocket-Type\0\0\0\x03SUB");
  } finally {
    await server.close();
  }
});

Deno.test("fenceOutputs gives up within its timeout when the probe never comes back", async () => {
  const server = fakeIopub({ publishes: false });
  try {
    const started = Date.now();
    const result = await withConnectionFile(
      server.port,
      (connectionFile) =>
        fenceOutputs({ connectionFile, timeoutMs: 400, retryMs: 50, broadcast: () => {} }),
    );
    assert.equal(result.ok, false);
    assert.match(result.reason ?? "", /no probe came back within 400 ms/);
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  } finally {
    await server.close();
  }
});

Deno.test("fenceOutputs names the connection file it cannot read", async () => {
  const result = await fenceOutputs({
    connectionFile: "/nonexistent/kernel-1.json",
    broadcast: () => {},
  });
  assert.equal(result.ok, false);
  assert.match(result.reason ?? "", /cannot read the kernel connection file.*kernel-1\.json/);
});
