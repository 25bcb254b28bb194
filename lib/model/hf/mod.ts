/**
 * Hugging Face checkpoints as capo policies: Llama, Qwen2 and Qwen3 from safetensors folders, with
 * their tokenizer and chat template, LoRA, and PEFT / merged export.
 *
 * @example
 * ```ts
 * import { loadHfPolicy } from "./mod.ts";
 * const policy = await loadHfPolicy("models/qwen2.5-0.5b-instruct", { lora: { rank: 8 } });
 * ```
 * @module
 */
export * from "./config.ts";
export * from "./model.ts";
export * from "./load.ts";
export * from "./tokenizer.ts";
export * from "./peft.ts";
export * from "./generate.ts";
export * from "./policy_config.ts";
