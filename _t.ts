import { chooseBackend, tf } from "./lib/model/mod.ts";
const nav = globalThis.navigator as any;
console.log("gpu?", !!nav.gpu);
if (nav.gpu) { const a = await nav.gpu.requestAdapter(); console.log("adapter", a && a.info, a && a.isFallbackAdapter); }
const info = await chooseBackend((Deno.args[0] ?? "auto") as any);
console.log("started", info);
const x = tf.tensor2d([[1, 2], [3, 4]]);
const y = tf.matMul(x, x);
console.log(await y.data());
