/**
 * One-shot generation from a checkpoint folder: load policy (and adapter), encode the prompt (text,
 * chat template or raw ids), sample, decode. What `deno task generate` runs.
 * @module
 */
import { sample } from "../sample.ts";
import { loadHfPolicy } from "./load.ts";
import { type HfTokenizer, loadHfTokenizer } from "./tokenizer.ts";

/** Options for {@linkcode generateFromCheckpoint}. */
export interface GenerateOptions {
  /** Render the prompt through the chat template as one user message. @default false */
  chat?: boolean;
  /** Prompt token ids instead of text (no tokenizer needed). @default none */
  promptIds?: number[];
  /** @default 64 */
  maxNewTokens?: number;
  /** 0 is greedy. @default 0 */
  temperature?: number;
  /** @default 1 */
  topP?: number;
  /** @default 0 (no limit) */
  topK?: number;
  /** @default 0 */
  seed?: number;
  /** A PEFT adapter folder to apply. @default none */
  adapter?: string;
}

/** What {@linkcode generateFromCheckpoint} returns. */
export interface GenerateResult {
  promptIds: number[];
  ids: number[];
  logProbs: number[];
  /** The decoded continuation (specials skipped); absent without a tokenizer. */
  text?: string;
}

/**
 * Generates a continuation of a prompt with a checkpoint's own tokenizer and stop ids.
 *
 * @param dir The checkpoint folder.
 * @param prompt Prompt text (ignored when `promptIds` is given).
 * @param options See {@linkcode GenerateOptions}.
 * @returns Prompt ids, generated ids, their log-probs and the text.
 * @throws {Error} On a missing file, unsupported architecture or bad option (one line each).
 * @example
 * ```ts
 * const out = await generateFromCheckpoint("models/qwen2.5-0.5b-instruct", "2+3?", { chat: true });
 * console.log(out.text);
 * ```
 */
export async function generateFromCheckpoint(
  dir: string,
  prompt: string,
  options: GenerateOptions = {},
): Promise<GenerateResult> {
  const {
    chat = false,
    promptIds,
    maxNewTokens = 64,
    temperature = 0,
    topP = 1,
    topK = 0,
    seed = 0,
    adapter,
  } = options;
  const tokenizer: HfTokenizer | undefined = promptIds ? undefined : await loadHfTokenizer(dir);
  const policy = await loadHfPolicy(dir, adapter ? { adapter } : {});
  try {
    const ids = promptIds ?? tokenizer!.encodePrompt(prompt, { chat });
    const bad = ids.find((id) => !Number.isInteger(id) || id < 0 || id >= policy.hf.vocabSize);
    if (bad !== undefined) {
      throw new RangeError(
        `Cannot generate: expected prompt ids in [0, ${policy.hf.vocabSize}), got ${bad}`,
      );
    }
    const eosIds = tokenizer?.eosIds.length ? [...tokenizer.eosIds] : policy.hf.eosIds;
    const out = await sample(policy, [ids], {
      maxNewTokens: Math.min(maxNewTokens, policy.config.blockSize - ids.length),
      temperature,
      topP,
      topK,
      seed,
      eosId: eosIds.length ? eosIds : [-1],
      padId: tokenizer?.padId ?? 0,
    });
    return {
      promptIds: ids,
      ids: out.tokens[0],
      logProbs: out.logProbs[0],
      ...(tokenizer ? { text: tokenizer.decode(out.tokens[0]) } : {}),
    };
  } finally {
    policy.dispose();
  }
}
