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
  /** Reads one tensor as float32. @throws {SyntaxError} On an unknown dtype or a short file. */
  read(name: string): Promise<Float32Array>;
  close(): void;
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
      read: async (name) => {
        const entry = entries.get(name) ?? fail(`expected tensor ${name}, not found`);
        const [start, end] = entry.offsets;
        return toFloat32(await readExact(file, start, end - start, path), entry.dtype);
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
): Promise<Uint8Array> {
  await file.seek(at, Deno.SeekMode.Start);
  const out = new Uint8Array(length);
  let got = 0;
  // Bounded: each read returns > 0 bytes or null (end of file).
  while (got < length) {
    const n = await file.read(out.subarray(got));
    if (n === null) throw new SyntaxError(`Cannot read ${path}: file ends at byte ${at + got}`);
    got += n;
  }
  return out;
}

/** Little-endian BF16/F16/F32 bytes → float32 (BF16 is the top half of an f32). */
export function toFloat32(bytes: Uint8Array, dtype: string): Float32Array {
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  if (dtype === "F32") {
    return new Float32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4);
  }
  const half = new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 2);
  const out = new Float32Array(half.length);
  if (dtype === "BF16") {
    const bits = new Uint32Array(out.buffer);
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
