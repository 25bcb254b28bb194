/**
 * The policy side of capo on TensorFlow.js: backend choice (`chooseBackend`), the `tf` namespace
 * every other area imports from here, a character tokenizer, a small decoder-only transformer,
 * seeded sampling with a KV cache, token log-probabilities, and safetensors checkpoints.
 *
 * Importing this module registers the cpu backend and a BatchMatMul gradient with explicit
 * transposes (process-wide TensorFlow.js registries; numerically the stock gradient).
 *
 * @example
 * ```ts
 * import {
 *   CharTokenizer, chooseBackend, createPolicy, DEFAULT_POLICY_CONFIG, sample, tf, tokenLogProbs,
 * } from "./mod.ts";
 * await chooseBackend("auto");
 * const tok = new CharTokenizer();
 * const policy = createPolicy({ ...DEFAULT_POLICY_CONFIG, vocabSize: tok.vocabSize, seed: 1 });
 * const prompt = [tok.bosId, ...tok.encode("Q: 7+5*3\n")];
 * const out = await sample(policy, [prompt], { maxNewTokens: 20, seed: 3, eosId: tok.eosId });
 * const ids = tf.tensor2d([[...prompt, ...out.tokens[0]]], undefined, "int32");
 * const { logProbs, entropy } = tokenLogProbs(policy, ids as tf.Tensor2D);
 * tf.dispose([ids, logProbs, entropy]);
 * policy.dispose();
 * ```
 * @module
 */
export * from "./tf.ts";
export * from "./tokenizer.ts";
export * from "./transformer.ts";
export * from "./sample.ts";
export * from "./checkpoint.ts";
export * from "./bench.ts";
