/**
 * A checkpoint's own tokenizer (`tokenizer.json` through `npm:@huggingface/tokenizers`) and chat
 * template (`tokenizer_config.json`'s `chat_template` through `npm:@huggingface/jinja`), behind
 * capo's `Tokenizer` interface. Offsets come from incremental decoding, so every token's char span
 * is exact in `decode(ids)`; a multi-byte char split over several byte-level tokens belongs to the
 * token that completes it (the others get empty spans where it starts).
 * @module
 */
import { Tokenizer as HfTokenizerCore } from "@huggingface/tokenizers";
import { Template } from "@huggingface/jinja";
import type { Tokenizer } from "../tokenizer.ts";
import { readJson } from "./_json.ts";

/** One chat message, as chat templates expect it. */
export interface ChatMessage {
  role: "system" | "user" | "assistant" | string;
  content: string;
}

/** Options for {@linkcode HfTokenizer.encodePrompt}. */
export interface EncodePromptOptions {
  /** Render text through the chat template as one user message. @default false (messages always use it) */
  chat?: boolean;
  /** Extra variables for the template (e.g. `enable_thinking: false`). @default {} */
  templateVars?: Record<string, unknown>;
}

/** Options for {@linkcode loadHfTokenizer}. */
export interface LoadHfTokenizerOptions {
  /** Stop ids (usually `generation_config.json`'s); the first is `eosId`. @default the eos token */
  eosIds?: number[];
}

/** A Hugging Face tokenizer as a capo {@linkcode Tokenizer}. */
export class HfTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  /** Every id that ends a generation. */
  readonly eosIds: readonly number[];
  /** The Jinja chat template, when the checkpoint has one. */
  readonly chatTemplate?: string;
  readonly #core: HfTokenizerCore;
  readonly #config: Record<string, unknown>;
  readonly #specials: Set<number>;

  /**
   * @param tokenizerJson Parsed `tokenizer.json`.
   * @param tokenizerConfig Parsed `tokenizer_config.json`.
   * @param options See {@linkcode LoadHfTokenizerOptions}.
   * @throws {RangeError} When no eos id can be found.
   */
  constructor(
    tokenizerJson: Record<string, unknown>,
    tokenizerConfig: Record<string, unknown>,
    options: LoadHfTokenizerOptions = {},
  ) {
    this.#core = new HfTokenizerCore(tokenizerJson, tokenizerConfig);
    this.#config = tokenizerConfig;
    const idOf = (key: string): number | undefined => {
      const value = tokenizerConfig[key];
      const text = typeof value === "string" ? value : (value as { content?: string })?.content;
      return text ? this.#core.token_to_id(text) : undefined;
    };
    const eos = options.eosIds?.length ? [...options.eosIds] : [idOf("eos_token")].filter(
      (x): x is number => x !== undefined,
    );
    if (!eos.length) {
      throw new RangeError(
        "Cannot load tokenizer: expected eos_token in tokenizer_config.json or eos_token_id in generation_config.json, got none",
      );
    }
    this.eosIds = Object.freeze(eos);
    this.eosId = eos[0];
    this.bosId = idOf("bos_token") ?? this.eosId;
    this.padId = idOf("pad_token") ?? this.eosId;
    this.#specials = new Set(this.#core.get_added_tokens_decoder().keys());
    this.vocabSize = Math.max(
      this.#core.get_vocab(true).size,
      ...[...this.#specials].map((id) => id + 1),
    );
    const template = tokenizerConfig.chat_template;
    if (typeof template === "string") this.chatTemplate = template;
  }

  /** Text → ids, no special tokens added (special-token text such as `<|im_end|>` maps to its id). */
  encode(text: string): number[] {
    return this.#core.encode(text, { add_special_tokens: false }).ids;
  }

  /** Ids → text, special tokens skipped. */
  decode(ids: number[]): string {
    return this.#core.decode(ids, { skip_special_tokens: true });
  }

  /** Char span of each id in `decode(ids)`; special ids get empty spans. */
  offsets(ids: number[]): [number, number][] {
    const spans: [number, number][] = [];
    let at = 0;
    let pending = 0; // first id whose text is not yet complete (a split multi-byte char)
    for (let i = 0; i < ids.length; i++) {
      const piece = this.decode(ids.slice(pending, i + 1));
      if (piece.endsWith("\uFFFD") && i + 1 < ids.length && i - pending < 4) {
        spans.push([at, at]);
        continue;
      }
      spans.push([at, at + piece.length]);
      at += piece.length;
      pending = i + 1;
    }
    return spans;
  }

  /**
   * Renders chat messages through the checkpoint's chat template.
   *
   * @param messages The conversation.
   * @param options `addGenerationPrompt` (default true) and extra template variables.
   * @returns The prompt text (special tokens as text).
   * @throws {Error} When the checkpoint has no chat template.
   */
  applyChatTemplate(
    messages: ChatMessage[],
    options: { addGenerationPrompt?: boolean; templateVars?: Record<string, unknown> } = {},
  ): string {
    const { addGenerationPrompt = true, templateVars = {} } = options;
    if (!this.chatTemplate) {
      throw new Error(
        "Cannot apply chat template: tokenizer_config.json has no chat_template; pass plain text without --chat",
      );
    }
    const token = (key: string) => {
      const value = this.#config[key];
      return typeof value === "string" ? value : (value as { content?: string })?.content ?? "";
    };
    return new Template(this.chatTemplate).render({
      messages,
      add_generation_prompt: addGenerationPrompt,
      bos_token: token("bos_token"),
      eos_token: token("eos_token"),
      ...templateVars,
    });
  }

  /**
   * A task's prompt as ids: chat messages (or text with `chat`) through the chat template with the
   * generation prompt, encoded without adding specials (the template writes them, as transformers'
   * `apply_chat_template` does); plain text with the tokenizer's own specials (Llama's bos).
   *
   * @param prompt Text or chat messages.
   * @param options See {@linkcode EncodePromptOptions}.
   * @returns Prompt ids.
   */
  encodePrompt(prompt: string | ChatMessage[], options: EncodePromptOptions = {}): number[] {
    const { chat = false, templateVars } = options;
    if (Array.isArray(prompt) || chat) {
      const messages = Array.isArray(prompt) ? prompt : [{ role: "user", content: prompt }];
      return this.encode(this.applyChatTemplate(messages, { templateVars }));
    }
    return this.#core.encode(prompt, { add_special_tokens: true }).ids;
  }
}

/**
 * Loads `tokenizer.json` and `tokenizer_config.json` from a checkpoint folder; stop ids come from
 * `generation_config.json` when present.
 *
 * @param dir The checkpoint folder.
 * @returns The tokenizer.
 * @throws {Error} When a file is missing or malformed (naming it).
 * @example
 * ```ts
 * const tok = await loadHfTokenizer("models/qwen2.5-0.5b-instruct");
 * const ids = tok.encodePrompt([{ role: "user", content: "What is 2+3?" }]);
 * ```
 */
export async function loadHfTokenizer(dir: string): Promise<HfTokenizer> {
  const read = (name: string, required: boolean) => readJson(`${dir}/${name}`, required);
  const json = await read("tokenizer.json", true);
  const config = (await read("tokenizer_config.json", false)) ?? {};
  const generation = await read("generation_config.json", false);
  const eos = generation?.eos_token_id;
  const eosIds = (Array.isArray(eos) ? eos : eos === undefined ? [] : [eos])
    .filter((x) => Number.isInteger(x)) as number[];
  return new HfTokenizer(json!, config, { eosIds });
}
