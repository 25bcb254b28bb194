/**
 * Seeded pseudo-random numbers (splitmix32 state, mulberry-style output) so that every random choice
 * in capo — data generation, sampling, critic noise, shuffling — replays from a seed.
 * Named sub-streams (`fork`) keep one consumer's draws from shifting another's.
 * @module
 */

/** A seeded random stream. Each call advances the stream; `state` resumes it exactly. */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal draw (Box–Muller). */
  normal(): number;
  /** An independent stream derived from this one's seed and a label; does not advance this one. */
  fork(label: string | number): Rng;
  /** The 32-bit state; `createRng(0, { state })` resumes from it. */
  readonly state: number;
}

/** Options for {@linkcode createRng}. */
export interface CreateRngOptions {
  /** Resume from a saved `Rng.state` instead of the seed's initial state. */
  state?: number;
}

/**
 * Creates a seeded random stream.
 *
 * @param seed Any integer (or string, hashed to one).
 * @param options See {@linkcode CreateRngOptions}.
 * @returns The stream.
 * @throws {TypeError} When the seed is not a finite number or a string.
 * @example
 * ```ts
 * const rng = createRng(42);
 * const die = 1 + rng.int(6);
 * const noise = rng.fork("critic").next();
 * ```
 */
export function createRng(seed: number | string, options: CreateRngOptions = {}): Rng {
  if (typeof seed === "number" && !Number.isFinite(seed)) {
    throw new TypeError(`Cannot seed a random stream: expected a finite number, got ${seed}`);
  }
  const base = typeof seed === "string"
    ? hashString(seed)
    : seed >>> 0 ^ Math.floor(seed / 2 ** 32);
  let state = options.state ?? mix(base >>> 0);
  const next = (): number => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return ((z ^ (z >>> 16)) >>> 0) / 2 ** 32;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    normal: () => {
      const u = 1 - next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    },
    fork: (label) => createRng(`${base}/${label}`),
    get state() {
      return state;
    },
  };
}

function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

function hashString(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return mix(h >>> 0);
}
