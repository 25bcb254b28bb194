import { chooseBackend, tf } from "./lib/model/mod.ts";
Deno.test("x", async () => {
  const info = await chooseBackend("tensorflow");
  console.log("started", info);
  const x = tf.tensor2d([[1, 2], [3, 4]]);
  console.log("made");
  const y = tf.matMul(x, x);
  console.log(await y.data());
});
