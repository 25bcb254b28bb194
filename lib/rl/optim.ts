/**
 * Optimisation pieces the trainers share: gradient clipping by global norm and an Adam optimiser
 * (Kingma & Ba 2015, with optional decoupled weight decay as in AdamW) whose whole state — step
 * count and moments — can be read and restored, so a resumed run continues bit-for-bit.
 * @module
 */
import { tf } from "../model/mod.ts";

/**
 * Scales gradients so that their global L2 norm is at most `maxNorm` (no-op when already below).
 *
 * @param grads Gradients, any shapes.
 * @param maxNorm Largest allowed global norm; `Infinity` disables clipping.
 * @returns New gradient tensors and the norm before clipping; the caller owns them.
 * @example
 * ```ts
 * const { grads: clipped, norm } = clipByGlobalNorm([tf.tensor1d([3, 4])], 1); // → [0.6, 0.8], 5
 * ```
 */
export function clipByGlobalNorm(
  grads: readonly tf.Tensor[],
  maxNorm: number,
): { grads: tf.Tensor[]; norm: tf.Scalar } {
  return tf.tidy(() => {
    const squares = grads.map((g) => tf.sum(tf.square(g)));
    const norm = tf.sqrt(squares.length ? tf.addN(squares) : tf.scalar(0)) as tf.Scalar;
    if (!Number.isFinite(maxNorm)) return { grads: grads.map((g) => tf.clone(g)), norm };
    const scale = tf.div(maxNorm, tf.maximum(norm, maxNorm));
    return { grads: grads.map((g) => tf.mul(g, scale)), norm };
  });
}

/** A non-trainable zero variable shaped like `x` (the initial tensor is freed: a variable copies it). */
function zeroVariable(x: tf.Tensor): tf.Variable {
  const zeros = tf.zerosLike(x);
  const variable = tf.variable(zeros, false);
  zeros.dispose();
  return variable;
}

/** Options for {@linkcode Adam}. */
export interface AdamOptions {
  /** Step size. @default 1e-3 */
  learningRate?: number;
  /** Decay of the first moment. @default 0.9 */
  beta1?: number;
  /** Decay of the second moment. @default 0.999 */
  beta2?: number;
  /** Added to the root of the second moment. @default 1e-8 */
  epsilon?: number;
  /** Decoupled weight decay (AdamW); 0 = plain Adam. @default 0 */
  weightDecay?: number;
}

/** A snapshot of an {@linkcode Adam} optimiser: plain arrays, ready to serialise. */
export interface AdamState {
  /** Number of updates applied so far. */
  step: number;
  /** First moments, one per variable, flattened. */
  m: Float32Array[];
  /** Second moments, one per variable, flattened. */
  v: Float32Array[];
}

/**
 * Adam over a fixed list of variables, with readable and restorable state.
 *
 * @example
 * ```ts
 * const w = tf.variable(tf.scalar(1));
 * const adam = new Adam([w], { learningRate: 0.1 });
 * const { grads } = tf.variableGrads(() => tf.square(w) as tf.Scalar, [w]);
 * adam.apply([grads[w.name]]);
 * ```
 */
export class Adam {
  /** Updates applied so far. */
  step = 0;
  /** Current step size (may be changed between updates). */
  learningRate: number;
  readonly #variables: tf.Variable[];
  readonly #m: tf.Variable[];
  readonly #v: tf.Variable[];
  readonly #beta1: number;
  readonly #beta2: number;
  readonly #epsilon: number;
  readonly #weightDecay: number;

  /**
   * @param variables The variables to update, in a fixed order.
   * @param options See {@linkcode AdamOptions}.
   */
  constructor(variables: readonly tf.Variable[], options: AdamOptions = {}) {
    const { learningRate = 1e-3, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, weightDecay = 0 } =
      options;
    if (!(learningRate >= 0)) {
      throw new RangeError(`Cannot create Adam: expected learningRate >= 0, got ${learningRate}`);
    }
    this.learningRate = learningRate;
    this.#beta1 = beta1;
    this.#beta2 = beta2;
    this.#epsilon = epsilon;
    this.#weightDecay = weightDecay;
    this.#variables = [...variables];
    this.#m = variables.map((x) => zeroVariable(x));
    this.#v = variables.map((x) => zeroVariable(x));
  }

  /**
   * Applies one update. Gradients are aligned with the constructor's variables; they stay the
   * caller's to dispose.
   *
   * @param grads One gradient per variable, same shapes.
   */
  apply(grads: readonly tf.Tensor[]): void {
    if (grads.length !== this.#variables.length) {
      throw new RangeError(
        `Cannot apply Adam: expected ${this.#variables.length} gradients, got ${grads.length}`,
      );
    }
    this.step += 1;
    const lr = this.learningRate * Math.sqrt(1 - this.#beta2 ** this.step) /
      (1 - this.#beta1 ** this.step);
    tf.tidy(() => {
      this.#variables.forEach((x, i) => {
        const g = grads[i];
        const m = tf.add(tf.mul(this.#m[i], this.#beta1), tf.mul(g, 1 - this.#beta1));
        const v = tf.add(tf.mul(this.#v[i], this.#beta2), tf.mul(tf.square(g), 1 - this.#beta2));
        this.#m[i].assign(m);
        this.#v[i].assign(v);
        let update = tf.div(tf.mul(m, lr), tf.add(tf.sqrt(v), this.#epsilon));
        if (this.#weightDecay > 0) {
          update = tf.add(update, tf.mul(x, this.learningRate * this.#weightDecay));
        }
        x.assign(tf.sub(x, update));
      });
    });
  }

  /** Reads the step count and moments (for checkpoints). */
  async getState(): Promise<AdamState> {
    const read = (xs: tf.Variable[]) =>
      Promise.all(xs.map((x) => x.data() as Promise<Float32Array>));
    return { step: this.step, m: await read(this.#m), v: await read(this.#v) };
  }

  /** Restores a state from {@linkcode Adam.getState}. */
  setState(state: AdamState): void {
    const check = (arrays: Float32Array[], what: string) => {
      if (arrays.length !== this.#variables.length) {
        throw new RangeError(
          `Cannot restore Adam: expected ${this.#variables.length} ${what} moments, got ${arrays.length}`,
        );
      }
    };
    check(state.m, "first");
    check(state.v, "second");
    this.step = state.step;
    tf.tidy(() => {
      this.#variables.forEach((x, i) => {
        this.#m[i].assign(tf.tensor(state.m[i], x.shape, "float32"));
        this.#v[i].assign(tf.tensor(state.v[i], x.shape, "float32"));
      });
    });
  }

  /** Frees the moment tensors. */
  dispose(): void {
    for (const t of [...this.#m, ...this.#v]) t.dispose();
  }
}
