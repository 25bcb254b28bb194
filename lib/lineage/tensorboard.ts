/**
 * TensorBoard event files without TensorFlow: TFRecord framing (little-endian length, masked
 * CRC32C of the length and of the data) around hand-encoded `tensorflow.Event` protobufs — a
 * `file_version` event first, then one scalar `Summary` per write. Follows TensorBoard's
 * `event_file_writer` / `tf_record` format; the reader here is for tests and audits.
 * @module
 */

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * CRC32C (Castagnoli) of bytes, as TFRecord uses it.
 *
 * @param bytes The data.
 * @returns The checksum as an unsigned 32-bit integer.
 * @example
 * ```ts
 * crc32c(new TextEncoder().encode("123456789")); // 0xe3069283
 * ```
 */
export function crc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * The masked CRC TFRecord stores: rotate right by 15, add a constant (so a CRC of CRCs differs).
 *
 * @param bytes The data.
 * @returns The masked checksum, unsigned 32-bit.
 * @example
 * ```ts
 * maskedCrc32c(new Uint8Array(8));
 * ```
 */
export function maskedCrc32c(bytes: Uint8Array): number {
  const c = crc32c(bytes);
  return (((c >>> 15) | (c << 17)) + 0xa282ead8) >>> 0;
}

// --- protobuf encoding (only the wire types an Event needs) ---------------------------------------

function varint(value: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? byte | 0x80 : byte);
  } while (v > 0n);
  return out;
}

function lengthDelimited(field: number, payload: Uint8Array): number[] {
  return [...varint((field << 3) | 2), ...varint(payload.length), ...payload];
}

function scalarEvent(tag: string, value: number, step: number, wallTime: number): Uint8Array {
  const f32 = new Uint8Array(4);
  new DataView(f32.buffer).setFloat32(0, value, true);
  // Summary.Value { tag = 1; simple_value = 2 (float, wire type 5) }
  const summaryValue = new Uint8Array([
    ...lengthDelimited(1, new TextEncoder().encode(tag)),
    0x15,
    ...f32,
  ]);
  const summary = new Uint8Array(lengthDelimited(1, summaryValue)); // Summary { repeated value = 1 }
  return eventBytes(wallTime, step, lengthDelimited(5, summary)); // Event.summary = 5
}

function eventBytes(wallTime: number, step: number, body: number[]): Uint8Array {
  const f64 = new Uint8Array(8);
  new DataView(f64.buffer).setFloat64(0, wallTime, true);
  // Event { wall_time = 1 (double); step = 2 (int64); ... }
  return new Uint8Array([0x09, ...f64, 0x10, ...varint(step), ...body]);
}

/**
 * Frames one record as TFRecord: `uint64 length, uint32 masked_crc(length), data,
 * uint32 masked_crc(data)`, all little-endian.
 *
 * @param data The record bytes.
 * @returns The framed bytes.
 * @example
 * ```ts
 * tfRecord(new Uint8Array([1, 2, 3])).length; // 19
 * ```
 */
export function tfRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + 4 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

/** Options for {@linkcode createEventWriter}. */
export interface EventWriterOptions {
  /** Host name in the file name (TensorBoard shows it). @default Deno.hostname() or "localhost" */
  hostname?: string;
  /** Clock for wall times, seconds since the epoch. @default () => Date.now() / 1000 */
  now?: () => number;
}

/** An open event file; every call appends whole records and returns after they are written. */
export interface EventWriter {
  /** Path of the event file. */
  path: string;
  /** Appends one scalar: `tag` at `step` (an integer ≥ 0); non-finite values are written as-is. */
  scalar(tag: string, value: number, step: number): Promise<void>;
  /** Appends one scalar per entry of `values` at `step`, in one write. */
  scalars(values: Readonly<Record<string, number>>, step: number): Promise<void>;
  /** Closes the file; later writes throw. */
  close(): void;
}

/**
 * Creates `dir` and a new `events.out.tfevents.<seconds>.<host>` file in it, starting with the
 * `brain.Event:2` version event. Each write is one `write` of whole framed records, so a reader
 * (TensorBoard polls the file) never sees a torn record unless the process dies mid-write.
 *
 * @param dir Folder for the event file (e.g. `runs/<id>/tb`).
 * @param options See {@linkcode EventWriterOptions}.
 * @returns The writer.
 * @throws {RangeError} From `scalar` when the step is not a non-negative integer or the tag is empty.
 * @example
 * ```ts
 * const writer = await createEventWriter("/tmp/runs/demo/tb");
 * await writer.scalar("reward", 0.5, 1);
 * await writer.scalars({ accuracy: 0.25, kl: 0.01 }, 1);
 * writer.close();
 * ```
 */
export async function createEventWriter(
  dir: string,
  options: EventWriterOptions = {},
): Promise<EventWriter> {
  const { hostname = safeHostname(), now = () => Date.now() / 1000 } = options;
  await Deno.mkdir(dir, { recursive: true });
  const started = now();
  const path = `${dir.replace(/\/+$/, "")}/events.out.tfevents.${Math.floor(started)}.${hostname}`;
  const file = await Deno.open(path, { create: true, append: true });
  let closed = false;
  const write = async (records: Uint8Array[]) => {
    if (closed) throw new Error(`Cannot write to ${path}: the event writer is closed`);
    const total = records.reduce((n, r) => n + r.length, 0);
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const r of records) {
      bytes.set(r, at);
      at += r.length;
    }
    for (let done = 0; done < bytes.length;) done += await file.write(bytes.subarray(done));
  };
  const version = eventBytes(
    started,
    0,
    lengthDelimited(3, new TextEncoder().encode("brain.Event:2")),
  );
  await write([tfRecord(version)]);
  const record = (tag: string, value: number, step: number) => {
    if (!(Number.isInteger(step) && step >= 0)) {
      throw new RangeError(`Cannot write scalar "${tag}": expected a step ≥ 0, got ${step}`);
    }
    if (tag.length === 0) throw new RangeError(`Cannot write scalar: expected a tag, got ""`);
    return tfRecord(scalarEvent(tag, value, step, now()));
  };
  return {
    path,
    scalar: (tag, value, step) => write([record(tag, value, step)]),
    scalars: (values, step) =>
      write(Object.entries(values).map(([tag, value]) => record(tag, value, step))),
    close: () => {
      if (!closed) file.close();
      closed = true;
    },
  };
}

function safeHostname(): string {
  try {
    return Deno.hostname().replace(/[^A-Za-z0-9._-]/g, "_") || "localhost";
  } catch {
    return "localhost";
  }
}

/** One decoded event of {@linkcode readEventFile}. */
export interface DecodedEvent {
  /** Seconds since the epoch. */
  wallTime: number;
  /** Global step. */
  step: number;
  /** `brain.Event:2` for the first event, else undefined. */
  fileVersion?: string;
  /** Scalar summary values by tag (float32 precision). */
  scalars: Record<string, number>;
}

/**
 * Reads an event file back, checking every length and data CRC.
 *
 * @param path The event file.
 * @returns Its events in order.
 * @throws {SyntaxError} On a truncated record or a CRC mismatch, naming the record and offset.
 * @example
 * ```ts
 * const events = await readEventFile(writer.path);
 * events[0].fileVersion; // "brain.Event:2"
 * ```
 */
export async function readEventFile(path: string): Promise<DecodedEvent[]> {
  const bytes = await Deno.readFile(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const events: DecodedEvent[] = [];
  for (let at = 0; at < bytes.length;) {
    const fail = (what: string) =>
      new SyntaxError(`Cannot read record ${events.length} at byte ${at} of ${path}: ${what}`);
    if (at + 12 > bytes.length) throw fail("truncated header");
    const length = Number(view.getBigUint64(at, true));
    if (view.getUint32(at + 8, true) !== maskedCrc32c(bytes.subarray(at, at + 8))) {
      throw fail("length CRC mismatch");
    }
    if (at + 16 + length > bytes.length) throw fail(`truncated data (length ${length})`);
    const data = bytes.subarray(at + 12, at + 12 + length);
    if (view.getUint32(at + 12 + length, true) !== maskedCrc32c(data)) {
      throw fail("data CRC mismatch");
    }
    events.push(decodeEvent(data));
    at += 16 + length;
  }
  return events;
}

function decodeEvent(data: Uint8Array): DecodedEvent {
  const event: DecodedEvent = { wallTime: 0, step: 0, scalars: {} };
  for (const [field, value] of fields(data)) {
    if (field === 1 && value instanceof DataView) event.wallTime = value.getFloat64(0, true);
    else if (field === 2 && typeof value === "bigint") event.step = Number(value);
    else if (field === 3 && value instanceof Uint8Array) {
      event.fileVersion = new TextDecoder().decode(value);
    } else if (field === 5 && value instanceof Uint8Array) {
      for (const [f, v] of fields(value)) {
        if (f !== 1 || !(v instanceof Uint8Array)) continue;
        let tag = "";
        let scalar = NaN;
        for (const [g, w] of fields(v)) {
          if (g === 1 && w instanceof Uint8Array) tag = new TextDecoder().decode(w);
          if (g === 2 && w instanceof DataView) scalar = w.getFloat32(0, true);
        }
        event.scalars[tag] = scalar;
      }
    }
  }
  return event;
}

function* fields(data: Uint8Array): Generator<[number, bigint | Uint8Array | DataView]> {
  let at = 0;
  const readVarint = () => {
    let result = 0n;
    for (let shift = 0n; at < data.length && shift < 70n; shift += 7n) {
      const byte = data[at++];
      result |= BigInt(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return result;
    }
    throw new SyntaxError(`Cannot decode protobuf: bad varint before byte ${at}`);
  };
  while (at < data.length) {
    const key = Number(readVarint());
    const field = key >>> 3;
    const wire = key & 7;
    if (wire === 0) yield [field, readVarint()];
    else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      yield [field, new DataView(data.buffer, data.byteOffset + at, size)];
      at += size;
    } else if (wire === 2) {
      const length = Number(readVarint());
      yield [field, data.subarray(at, at + length)];
      at += length;
    } else throw new SyntaxError(`Cannot decode protobuf: unsupported wire type ${wire}`);
  }
}
