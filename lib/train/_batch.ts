/**
 * Private helpers of the trainers: the one prompt encoding every loop shares (bos + prompt text),
 * and right-padded `[B, T]` batches with a mask over the positions whose next token is a response
 * token (what SFT's NLL and RL's PPO loss are taken over).
 * @module
 */
import { promptText } from "../data/mod.ts";
import { tf } from "../model/mod.ts";
import type { Tokenizer } from "../model/mod.ts";

/**
 * Prompt ids as every capo loop writes them: the tokenizer's own prompt encoding (a chat template)
 * when it has one, else bos then the prompt text. A prompt longer than `maxLength` keeps its first
 * token and its last ones (the question's end sits next to the answer).
 */
export function encodePrompt(
  tokenizer: Tokenizer,
  prompt: string | { role: string; content: string }[],
  maxLength = Infinity,
  chat = false,
): number[] {
  const all = tokenizer.encodePrompt ? tokenizer.encodePrompt(prompt, { chat }) : [
    tokenizer.bosId,
    ...tokenizer.encode(promptText({ prompt })),
  ];
  if (all.length <= maxLength) return all;
  const keep = Math.max(1, maxLength - 1);
  return [all[0], ...all.slice(all.length - keep)];
}

/** The ids that end a generation. */
export function stopIds(tokenizer: Tokenizer): number | readonly number[] {
  return tokenizer.eosIds?.length ? tokenizer.eosIds : tokenizer.eosId;
}

/** One sequence: prompt ids and response ids (eos included when produced). */
export interface SequencePair {
  prompt: readonly number[];
  response: readonly number[];
}

/** A padded batch, as plain arrays (tensors are made where they are used). */
export interface PaddedBatch {
  /** Ids `[B, T]`, right-padded with the pad id. */
  ids: number[][];
  /** `[B, T-1]`: 1 where `ids[b][t+1]` is a response token. */
  mask: number[][];
  /** Per row, the index into `[T-1]` of its first response token (prompt length − 1). */
  starts: number[];
  /** Sequence length `T`. */
  length: number;
}

/**
 * Right-pads prompt + response pairs into one batch; responses are truncated to fit `blockSize`.
 *
 * @param pairs The sequences.
 * @param padId Pad id.
 * @param blockSize Longest allowed sequence.
 */
export function padBatch(
  pairs: readonly SequencePair[],
  padId: number,
  blockSize: number,
): PaddedBatch {
  const rows = pairs.map(({ prompt, response }) =>
    [...prompt, ...response].slice(0, Math.max(blockSize, prompt.length + 1))
  );
  const length = Math.max(2, ...rows.map((r) => r.length));
  const ids = rows.map((r) => [...r, ...new Array(length - r.length).fill(padId)]);
  const starts = pairs.map(({ prompt }) => prompt.length - 1);
  const mask = rows.map((r, b) =>
    Array.from({ length: length - 1 }, (_, t) => (t >= starts[b] && t + 1 < r.length ? 1 : 0))
  );
  return { ids, mask, starts, length };
}

/** `[B, T]` int32 ids of a padded batch; the caller owns it. */
export function idsTensor(batch: PaddedBatch): tf.Tensor2D {
  return tf.tensor2d(batch.ids, [batch.ids.length, batch.length], "int32");
}

/**
 * Places per-response-token values (advantages, old log-probs) at their `[B, T-1]` positions.
 *
 * @param batch The padded batch.
 * @param values Per row, one value per response token.
 * @returns `[B, T-1]` float32; the caller owns it.
 */
export function responseTensor(
  batch: PaddedBatch,
  values: readonly (readonly number[])[],
): tf.Tensor2D {
  const out = batch.mask.map((row) => row.map(() => 0));
  values.forEach((vals, b) => {
    for (let j = 0; j < vals.length && batch.starts[b] + j < batch.length - 1; j++) {
      out[b][batch.starts[b] + j] = vals[j];
    }
  });
  return tf.tensor2d(out, [out.length, batch.length - 1], "float32");
}

/** Fisher–Yates shuffle of `0..n-1` with a seeded `next()` in [0, 1). */
export function shuffledIndices(n: number, next: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}
