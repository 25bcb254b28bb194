/**
 * Tokenizers: the interface the policy, sampler and trainer share, and a character-level tokenizer
 * with a fixed charset (printable ASCII plus newline) that covers the synthetic arithmetic task
 * (`Q: 7+5*3\n`, `7+5=12\n\n\boxed{32}`) and plain-text math questions.
 * @module
 */

/** Maps text to token ids and back; `offsets` gives each token's char span in `decode(ids)`. */
export interface Tokenizer {
  /** Number of ids, specials included. */
  vocabSize: number;
  /** Beginning-of-sequence id (decodes to ""). */
  bosId: number;
  /** End-of-sequence id (decodes to ""). */
  eosId: number;
  /** Padding id (decodes to ""). */
  padId: number;
  /** Text → ids (no bos/eos added). */
  encode(text: string): number[];
  /** Ids → text; special ids decode to "". */
  decode(ids: number[]): string;
  /** Char span `[start, end)` of each id inside `decode(ids)`; specials get empty spans. */
  offsets(ids: number[]): [number, number][];
  /** Every id that ends a generation, when there are several. @default [eosId] */
  readonly eosIds?: readonly number[];
  /**
   * A prompt (text, or chat messages) as the model expects it — through its chat template when
   * `chat` is set or messages are given. Tokenizers without one get bos + `encode(text)`.
   */
  encodePrompt?(
    prompt: string | { role: string; content: string }[],
    options?: { chat?: boolean },
  ): number[];
}

/** Options for {@linkcode CharTokenizer}. */
export interface CharTokenizerOptions {
  /** What `encode` does with a char outside the charset: replace it or throw. @default "replace" */
  onUnknown?: "replace" | "error";
  /** The char an unknown char becomes when `onUnknown` is "replace". @default "?" */
  replacement?: string;
}

/** The fixed charset: newline, then printable ASCII 32..126 (space, digits, `+-*\/=(){}\`, letters). */
export const CHARSET: string = "\n" +
  Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join("");

const SPECIALS = 3; // pad 0, bos 1, eos 2

/**
 * Character-level tokenizer: ids 0–2 are pad, bos, eos; then one id per char of {@linkcode CHARSET}
 * (vocab 99). Deterministic and stateless, so checkpoints need not store it.
 *
 * @example
 * ```ts
 * const tok = new CharTokenizer();
 * const ids = tok.encode("Q: 7+5\n");
 * tok.decode([...ids, tok.eosId]); // "Q: 7+5\n"
 * ```
 */
export class CharTokenizer implements Tokenizer {
  readonly vocabSize: number = SPECIALS + CHARSET.length;
  readonly padId = 0;
  readonly bosId = 1;
  readonly eosId = 2;
  readonly #index = new Map<string, number>([...CHARSET].map((c, i) => [c, SPECIALS + i]));
  readonly #onUnknown: "replace" | "error";
  readonly #replacementId: number;

  /**
   * @param options See {@linkcode CharTokenizerOptions}.
   * @throws {RangeError} When the replacement char is outside the charset.
   */
  constructor(options: CharTokenizerOptions = {}) {
    const { onUnknown = "replace", replacement = "?" } = options;
    const id = this.#index.get(replacement);
    if (id === undefined) {
      throw new RangeError(
        `Cannot create CharTokenizer: expected a replacement char in the charset, got ${
          JSON.stringify(replacement)
        }`,
      );
    }
    this.#onUnknown = onUnknown;
    this.#replacementId = id;
  }

  /**
   * Encodes text char by char (`\r\n` and tabs are normalised to `\n` and a space).
   *
   * @throws {RangeError} On a char outside the charset when `onUnknown` is "error".
   */
  encode(text: string): number[] {
    const ids: number[] = [];
    const clean = text.replaceAll("\r\n", "\n").replaceAll("\t", " ");
    for (const char of clean) {
      const id = this.#index.get(char);
      if (id !== undefined) ids.push(id);
      else if (this.#onUnknown === "replace") ids.push(this.#replacementId);
      else {
        throw new RangeError(
          `Cannot encode text: expected chars in the printable-ASCII charset, got ${
            JSON.stringify(char)
          } at offset ${ids.length}`,
        );
      }
    }
    return ids;
  }

  /** Decodes ids; specials decode to "". @throws {RangeError} On an id outside the vocabulary. */
  decode(ids: number[]): string {
    let text = "";
    for (const id of ids) text += this.#char(id);
    return text;
  }

  /** Char span of each id in `decode(ids)`. */
  offsets(ids: number[]): [number, number][] {
    const spans: [number, number][] = [];
    let at = 0;
    for (const id of ids) {
      const end = at + this.#char(id).length;
      spans.push([at, end]);
      at = end;
    }
    return spans;
  }

  #char(id: number): string {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
      throw new RangeError(
        `Cannot decode token id: expected an integer in [0, ${this.vocabSize}), got ${id}`,
      );
    }
    return id < SPECIALS ? "" : CHARSET[id - SPECIALS];
  }
}
