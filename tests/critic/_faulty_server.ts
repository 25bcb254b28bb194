/**
 * A raw TCP "OpenAI-compatible" server for the adversarial suite. The first path segment picks the
 * misbehaviour (`/<mode>/v1/chat/completions`); raw sockets are needed for resets, torn bodies,
 * silence and slow drips, which a well-behaved HTTP server cannot produce.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A running faulty server. */
export interface FaultyServer {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** Requests received for a mode. */
  requests(mode: string): number;
  /** Closes the listener and every open connection, and waits for the handlers. */
  close(): Promise<void>;
}

const CRITIQUE = "Step 1 multiplies 12 by 3 and states 37, which is wrong.\n\nWrong steps: [1]";

function completion(n: number, content = CRITIQUE): string {
  const choices = Array.from({ length: n }, (_, index) => ({
    index,
    message: { role: "assistant", content },
    finish_reason: "stop",
  }));
  return JSON.stringify({ id: "x", object: "chat.completion", choices });
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let off = 0; off < bytes.length;) off += await conn.write(bytes.subarray(off));
}

function head(status: string, headers: Record<string, string | number>): string {
  const lines = Object.entries({ connection: "close", ...headers }).map(([k, v]) => `${k}: ${v}`);
  return `HTTP/1.1 ${status}\r\n${lines.join("\r\n")}\r\n\r\n`;
}

function reply(status: string, body: string, extra: Record<string, string> = {}): string {
  const type = extra["content-type"] ?? "application/json";
  return head(status, {
    "content-type": type,
    "content-length": encoder.encode(body).length,
    ...extra,
  }) + body;
}

async function readRequest(conn: Deno.Conn): Promise<{ path: string; body: string } | undefined> {
  let text = "";
  const buf = new Uint8Array(65536);
  for (let i = 0; i < 10_000; i++) {
    const end = text.indexOf("\r\n\r\n");
    if (end !== -1) {
      const length = Number(/content-length:\s*(\d+)/i.exec(text.slice(0, end))?.[1] ?? 0);
      if (encoder.encode(text.slice(end + 4)).length >= length) {
        return { path: text.split(" ")[1] ?? "/", body: text.slice(end + 4) };
      }
    }
    const n = await conn.read(buf);
    if (n === null) return undefined;
    text += decoder.decode(buf.subarray(0, n), { stream: true });
  }
  return undefined;
}

/**
 * Starts the server on a free 127.0.0.1 port.
 *
 * @returns The base URL, per-mode request counts and `close`.
 * @example
 * ```ts
 * const server = await startFaultyServer();
 * const baseUrl = `${server.url}/empty_choices/v1`;
 * await server.close();
 * ```
 */
export function startFaultyServer(): Promise<FaultyServer> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const counts = new Map<string, number>();
  const conns = new Set<Deno.Conn>();
  const handlers = new Set<Promise<void>>();
  let closed = false;

  const handle = async (conn: Deno.Conn) => {
    const request = await readRequest(conn);
    if (!request) return;
    const mode = request.path.split("/")[1] ?? "";
    counts.set(mode, (counts.get(mode) ?? 0) + 1);
    const n = Number(JSON.parse(request.body || "{}").n ?? 1);
    const send = (text: string) => writeAll(conn, encoder.encode(text));
    const error = (status: string, message: string, extra: Record<string, string> = {}) =>
      send(reply(status, JSON.stringify({ error: { message } }), extra));
    switch (mode) {
      case "empty_choices":
        return await send(reply("200 OK", `{"choices": []}`));
      case "no_message":
        return await send(reply("200 OK", `{"choices": [{"index": 0, "finish_reason": "stop"}]}`));
      case "null_content":
        return await send(reply(
          "200 OK",
          `{"choices": [{"index": 0, "message": {"role": "assistant", "content": null}}]}`,
        ));
      case "html":
        return await send(reply("200 OK", "<html><body><h1>Welcome to nginx!</h1></body></html>", {
          "content-type": "text/html",
        }));
      case "error_in_200":
        return await error("200 OK", "The model is overloaded, try again later");
      case "truncated_json":
        return await send(reply("200 OK", completion(n).slice(0, 40)));
      case "http_401":
        return await error("401 Unauthorized", "Incorrect API key provided");
      case "http_404_model":
        return await error("404 Not Found", "The model `gpt-99` does not exist");
      case "http_413":
        return await error("413 Payload Too Large", "Request entity too large");
      case "http_429_retry_after":
        return await error("429 Too Many Requests", "Rate limited", { "retry-after": "30" });
      case "http_429":
        return await error("429 Too Many Requests", "Rate limited");
      case "http_500":
        return await error("500 Internal Server Error", "boom");
      case "http_503":
        return await send(reply("503 Service Unavailable", "upstream unavailable", {
          "content-type": "text/plain",
        }));
      case "reset":
        return; // closed with no answer at all
      case "torn_body": {
        const body = completion(n);
        return await send(
          head("200 OK", { "content-type": "application/json", "content-length": body.length }) +
            body.slice(0, 30),
        );
      }
      case "hang":
        while (!closed) await new Promise((r) => setTimeout(r, 20));
        return;
      case "drip": {
        const body = completion(n);
        await send(
          head("200 OK", { "content-type": "application/json", "content-length": body.length }),
        );
        for (let i = 0; i < body.length && !closed; i++) {
          await send(body[i]);
          await new Promise((r) => setTimeout(r, 50));
        }
        return;
      }
      case "no_verdict":
        return await send(reply("200 OK", completion(n, "Hmm, hard to say which step is off.")));
      case "one_choice":
        return await send(reply("200 OK", completion(1)));
      default:
        return await error("404 Not Found", `no mode ${mode}`);
    }
  };

  const accept = (async () => {
    for await (const conn of listener) {
      conns.add(conn);
      const done: Promise<void> = handle(conn).catch(() => {}).finally(() => {
        conns.delete(conn);
        handlers.delete(done);
        try {
          conn.close();
        } catch { /* already closed */ }
      });
      handlers.add(done);
    }
  })().catch(() => {});

  return Promise.resolve({
    url: `http://127.0.0.1:${port}`,
    requests: (mode) => counts.get(mode) ?? 0,
    close: async () => {
      closed = true;
      listener.close();
      await accept;
      await Promise.all([...handlers]);
    },
  });
}
