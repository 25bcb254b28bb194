/**
 * Streaming safetensors reader for Hugging Face checkpoints: reads the JSON header, then each
 * tensor's bytes on demand (one seek + read per tensor, never the whole file), converting BF16, F16
 * and F32 little-endian data to float32.
 * @module
 */

/** One tensor's entry in a safetensors header. */
export interface SafetensorsEntry {
  dtype: string;
  shape: number[];
  /** Byte range relative to the end of the header. */
  offsets: [number, number];
}

/** An open safetensors file; `close()` when done. */
export interface SafetensorsFile {
  path: string;
  entries: Map<string, SafetensorsEntry>;
  /**
   * Reads one tensor (or rows `[from, to)` of its first axis) as float32.
   * @throws {SyntaxError} On an unknown dtype or a short file.
   */
  read(name: string, options?: ReadOptions): Promise<Float32Array>;
  close(): void;
}

/** Options of {@linkcode SafetensorsFile.read}. */
export interface ReadOptions {
  /** Rows `[from, to)` of the first axis. @default all */
  rows?: [number, number];
  /**
   * Reusable buffers: the result may then be a view on `scratch.f32`, valid until the next read
   * with the same scratch (no new allocation per read). @default a fresh array per read
   */
  scratch?: ReadScratch;
}

/** Buffers that reads can reuse (grown on demand). */
export interface ReadScratch {
  bytes?: Uint8Array;
  f32?: Float32Array;
}

const BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2 };

/** Opens a safetensors file and parses its header (the data stays on disk). */
export async function openSafetensors(path: string): Promise<SafetensorsFile> {
  const fail = (what: string): never => {
    throw new SyntaxError(`Cannot read ${path}: ${what}`);
  };
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    throw new Error(`Cannot open ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const size = (await file.stat()).size;
    const head = await readExact(file, 0, 8, path);
    const headerLength = Number(new DataView(head.buffer).getBigUint64(0, true));
    if (headerLength > size - 8 || headerLength > 100_000_000) {
      fail(`expected a header length below the file size, got ${headerLength}`);
    }
    let header: Record<string, { dtype: string; shape: number[]; data_offsets: number[] }>;
    try {
      header = JSON.parse(new TextDecoder().decode(await readExact(file, 8, headerLength, path)));
    } catch (error) {
      throw new SyntaxError(`Cannot read ${path}: expected a JSON header`, { cause: error });
    }
    const base = 8 + headerLength;
    const entries = new Map<string, SafetensorsEntry>();
    for (const [name, e] of Object.entries(header)) {
      if (name === "__metadata__") continue;
      const [start, end] = e.data_offsets ?? [];
      const count = (e.shape ?? []).reduce((a, b) => a * b, 1);
      const width = BYTES[e.dtype];
      if (!width) fail(`expected dtype F32, F16 or BF16 for tensor ${name}, got ${e.dtype}`);
      if (end - start !== count * width || base + end > size) {
        fail(`expected ${count * width} bytes inside the file for tensor ${name}`);
      }
      entries.set(name, { dtype: e.dtype, shape: e.shape, offsets: [base + start, base + end] });
    }
    return {
      path,
      entries,
      read: async (name, options = {}) => {
        const { rows, scratch } = options;
        const entry = entries.get(name) ?? fail(`expected tensor ${name}, not found`);
        let [start, end] = entry.offsets;
        if (rows) {
          const rowBytes = (end - start) / (entry.shape[0] || 1);
          [start, end] = [start + rows[0] * rowBytes, start + rows[1] * rowBytes];
        }
        const length = end - start;
        let into: Uint8Array | undefined;
        if (scratch) {
          if (!scratch.bytes || scratch.bytes.length < length) {
            scratch.bytes = new Uint8Array(length);
          }
          into = scratch.bytes.subarray(0, length);
        }
        const bytes = await readExact(file, start, length, path, into);
        if (!scratch || entry.dtype === "F32") return toFloat32(bytes, entry.dtype);
        const count = length / BYTES[entry.dtype];
        if (!scratch.f32 || scratch.f32.length < count) scratch.f32 = new Float32Array(count);
        return toFloat32(bytes, entry.dtype, scratch.f32.subarray(0, count));
      },
      close: () => file.close(),
    };
  } catch (error) {
    file.close();
    throw error;
  }
}

async function readExact(
  file: Deno.FsFile,
  at: number,
  length: number,
  path: string,
  into?: Uint8Array,
): Promise<Uint8Array> {
  await file.seek(at, Deno.SeekMode.Start);
  const out = into ?? new Uint8Array(length);
  let got = 0;
  // Bounded: each read returns > 0 bytes or null (end of file).
  while (got < length) {
    const n = await file.read(out.subarray(got));
    if (n === null) throw new SyntaxError(`Cannot read ${path}: file ends at byte ${at + got}`);
    got += n;
  }
  return out;
}

/**
 * Little-endian BF16/F16/F32 bytes → float32 (BF16 is the top half of an f32). F32 data is a view
 * on `bytes` when aligned; BF16/F16 data goes to `into` when given (its length must match).
 */
export function toFloat32(bytes: Uint8Array, dtype: string, into?: Float32Array): Float32Array {
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  if (dtype === "F32") {
    return new Float32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4);
  }
  const half = new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 2);
  const out = into ?? new Float32Array(half.length);
  if (dtype === "BF16") {
    const bits = new Uint32Array(out.buffer, out.byteOffset, out.length);
    for (let i = 0; i < half.length; i++) bits[i] = half[i] << 16;
    return out;
  }
  for (let i = 0; i < half.length; i++) out[i] = f16ToF32(half[i]);
  return out;
}

function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
