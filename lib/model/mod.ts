/**
 * The policy side of capo on TensorFlow.js: backend choice (`chooseBackend`), the `tf` namespace
 * every other area imports from here, a character tokenizer, a small decoder-only transformer,
 * seeded sampling with a KV cache, token log-probabilities, and safetensors checkpoints.
 *
 * Process-wide state (TensorFlow.js keeps its registries global): importing this module registers
 * the cpu backend, every stock gradient (through `@tensorflow/tfjs`; tfjs-core's node build has
 * none) and then a BatchMatMul gradient with explicit transposes (numerically the stock one, ~7×
 * faster on wasm). `chooseBackend` sets the current backend, and tfjs-node needs
 * `util.isNullOrUndefined` added to `node:util` under Deno; `tf.ts` remembers whether a software
 * WebGPU adapter was opened and whether libtensorflow is loaded (loading it after llvmpipe crashes
 * the process, so that load is refused with a reason). Nothing else is global.
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
