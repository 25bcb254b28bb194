/**
 * An output fence for the Deno Jupyter kernel. The kernel publishes what a cell displays through a
 * queue that a separate task drains, while the cell's "idle" status goes out directly; a display
 * still queued when the cell ends reaches the frontend after "idle" and is dropped (measured with
 * Deno 2.9: the last displays of a cell were missing in about half of the executions). The fence
 * subscribes to the kernel's own IOPub socket (ZMTP 3.0, as a SUB peer), queues a harmless
 * `update_display_data` probe behind the pending outputs, and waits until the probe is published:
 * the queue is first-in first-out, so every earlier output has then been sent to every frontend.
 * @module
 */

/** What {@linkcode fenceOutputs} found. */
export interface FenceResult {
  /** True once a probe came back through IOPub (every earlier output is published). */
  ok: boolean;
  /** Why the fence could not be confirmed (when `ok` is false). */
  reason?: string;
}

/** Options for {@linkcode fenceOutputs}. */
export interface FenceOptions {
  /** Longest wait for a probe to come back, in milliseconds. @default 5000 */
  timeoutMs?: number;
  /** Wait before re-sending the probe while the subscription is not yet registered, ms. @default 100 */
  retryMs?: number;
  /** The kernel's connection file. @default the `--conn` argument in /proc/self/cmdline */
  connectionFile?: string;
  /** Queues an IOPub message behind the cell's outputs. @default Deno.jupyter.broadcast */
  broadcast?: (type: string, content: Record<string, unknown>) => unknown;
}

interface Jupyter {
  broadcast(type: string, content: Record<string, unknown>): unknown;
}

/** The Deno kernel's `Deno.jupyter`, or undefined outside `deno jupyter` (where access throws). */
export function jupyterApi(): Jupyter | undefined {
  try {
    return (Deno as unknown as { jupyter?: Jupyter }).jupyter;
  } catch {
    return undefined;
  }
}

/**
 * Waits until every output queued so far by this kernel has been published on IOPub.
 *
 * @param options See {@linkcode FenceOptions}.
 * @returns Whether the fence was confirmed, and why not.
 * @example
 * ```ts
 * await Deno.jupyter.display({ "text/plain": "hi" }, { raw: true });
 * const { ok, reason } = await fenceOutputs();
 * ```
 */
export async function fenceOutputs(options: FenceOptions = {}): Promise<FenceResult> {
  const { timeoutMs = 5000, retryMs = 100 } = options;
  const jupyter = jupyterApi();
  const broadcast = options.broadcast ?? jupyter?.broadcast.bind(jupyter);
  if (!broadcast) return { ok: false, reason: "not running in the Deno Jupyter kernel" };
  let info: { ip: string; iopub_port: number; transport?: string };
  try {
    const file = options.connectionFile ?? connectionFileFromCmdline();
    info = JSON.parse(await Deno.readTextFile(file));
  } catch (error) {
    return { ok: false, reason: `cannot read the kernel connection file (${message(error)})` };
  }
  if ((info.transport ?? "tcp") !== "tcp" || !Number.isInteger(info.iopub_port)) {
    return { ok: false, reason: `unsupported IOPub transport ${info.transport}` };
  }
  const deadline = Date.now() + timeoutMs;
  let conn: Deno.TcpConn | undefined;
  const timer = setTimeout(() => conn?.close(), timeoutMs);
  try {
    conn = await Deno.connect({ hostname: info.ip, port: info.iopub_port });
    const reader = new FrameReader(conn);
    await handshake(conn, reader);
    // The probe id is unique per fence, so only our own probes end the wait.
    const id = `capo-fence-${crypto.randomUUID()}`;
    const seen = watchFor(reader, id);
    // The kernel registers a subscriber asynchronously: re-send until one probe comes back.
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      broadcast("update_display_data", {
        data: { "text/plain": "" },
        metadata: {},
        transient: { display_id: id },
      });
      const wait = delay(retryMs * Math.min(attempt + 1, 10));
      const back = await Promise.race([seen, wait.promise]);
      wait.cancel();
      if (back === true) return { ok: true };
    }
    return { ok: false, reason: `no probe came back within ${timeoutMs} ms` };
  } catch (error) {
    return { ok: false, reason: `IOPub subscription failed (${message(error)})` };
  } finally {
    clearTimeout(timer);
    try {
      conn?.close();
    } catch {
      // already closed by the timeout
    }
  }
}

function connectionFileFromCmdline(): string {
  const args = Deno.readTextFileSync("/proc/self/cmdline").split("\0");
  const i = args.indexOf("--conn");
  const file = i >= 0 ? args[i + 1] : args.find((a) => a.startsWith("--conn="))?.slice(7);
  if (!file) throw new Error("no --conn argument in the kernel's command line");
  return file;
}

/** Resolves true when a published message contains `id`; false when the socket closes first. */
async function watchFor(reader: FrameReader, id: string): Promise<boolean> {
  const decoder = new TextDecoder();
  try {
    while (true) {
      const frame = await reader.frame();
      if (!frame.command && decoder.decode(frame.data).includes(id)) return true;
    }
  } catch {
    return false;
  }
}

async function handshake(conn: Deno.TcpConn, reader: FrameReader): Promise<void> {
  // 64-octet greeting: signature, version 3.0, mechanism NULL, as-server 0.
  const greeting = new Uint8Array(64);
  greeting[0] = 0xff;
  greeting[9] = 0x7f;
  greeting[10] = 3;
  greeting.set(new TextEncoder().encode("NULL"), 12);
  await writeAll(conn, greeting);
  await reader.exact(64);
  // READY command with Socket-Type SUB, then the peer's READY.
  const name = new TextEncoder().encode("READY");
  const prop = new TextEncoder().encode("Socket-Type");
  const value = new TextEncoder().encode("SUB");
  const body = new Uint8Array(1 + name.length + 1 + prop.length + 4 + value.length);
  let o = 0;
  body[o++] = name.length;
  body.set(name, o);
  o += name.length;
  body[o++] = prop.length;
  body.set(prop, o);
  o += prop.length;
  new DataView(body.buffer).setUint32(o, value.length);
  body.set(value, o + 4);
  await writeAll(conn, frameBytes(body, 0x04));
  await reader.frame();
  // ZMTP 3.0 subscription to every topic: a one-octet message 0x01.
  await writeAll(conn, frameBytes(new Uint8Array([1]), 0));
}

function frameBytes(data: Uint8Array, flags: number): Uint8Array {
  const out = new Uint8Array(2 + data.length);
  out[0] = flags;
  out[1] = data.length; // short frames only: every frame we send is under 256 octets
  out.set(data, 2);
  return out;
}

async function writeAll(conn: Deno.TcpConn, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.length;) offset += await conn.write(bytes.subarray(offset));
}

/** Buffered reads of exact byte counts and ZMTP frames. */
class FrameReader {
  #buffer = new Uint8Array(0);
  constructor(private readonly conn: Deno.TcpConn) {}

  async exact(n: number): Promise<Uint8Array> {
    while (this.#buffer.length < n) {
      const chunk = new Uint8Array(Math.max(65536, n - this.#buffer.length));
      const read = await this.conn.read(chunk);
      if (read === null) throw new Error("IOPub connection closed");
      const grown = new Uint8Array(this.#buffer.length + read);
      grown.set(this.#buffer);
      grown.set(chunk.subarray(0, read), this.#buffer.length);
      this.#buffer = grown;
    }
    const out = this.#buffer.slice(0, n);
    this.#buffer = this.#buffer.subarray(n);
    return out;
  }

  async frame(): Promise<{ data: Uint8Array; command: boolean }> {
    const [flags] = await this.exact(1);
    const size = flags & 0x02
      ? Number(new DataView((await this.exact(8)).buffer).getBigUint64(0))
      : (await this.exact(1))[0];
    return { data: await this.exact(size), command: (flags & 0x04) !== 0 };
  }
}

function delay(ms: number): { promise: Promise<false>; cancel: () => void } {
  let id: ReturnType<typeof setTimeout> | undefined;
  const promise = new Promise<false>((resolve) => id = setTimeout(() => resolve(false), ms));
  return { promise, cancel: () => clearTimeout(id) };
}

function message(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}
