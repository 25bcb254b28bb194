// Tests lib/model/tf.ts: backend choice and the explicit-transpose BatchMatMul gradient.
import assert from "node:assert/strict";
import { chooseBackend, tf } from "../../lib/model/mod.ts";

type Mat = number[][];
const transpose = (m: Mat): Mat => m[0].map((_, j) => m.map((row) => row[j]));
const matmul = (a: Mat, b: Mat): Mat =>
  a.map((row) => b[0].map((_, j) => row.reduce((s, x, k) => s + x * b[k][j], 0)));
const filled = (r: number, c: number, k: number): Mat =>
  Array.from({ length: r }, (_, i) => Array.from({ length: c }, (_, j) => Math.sin(k + 3 * i + j)));

function assertClose(actual: number[], expected: number[], what: string) {
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) < 1e-4, `${what}[${i}]`));
}

Deno.test("BatchMatMul gradient (explicit transposes) matches the analytic gradient on cpu", async () => {
  const previous = tf.getBackend();
  await chooseBackend("cpu");
  // loss = sum(W ⊙ op(A)·op(B)) ⇒ dA = W·Bᵀ, dB = Aᵀ·W (before undoing the transposes).
  const a = filled(3, 4, 1);
  const b = filled(4, 5, 2);
  const w = filled(3, 5, 3);
  const dA = matmul(w, transpose(b));
  const dB = matmul(transpose(a), w);
  for (const [ta, tb] of [[false, false], [false, true], [true, false], [true, true]]) {
    const grads = tf.tidy(() => {
      const aIn = tf.tensor2d(ta ? transpose(a) : a);
      const bIn = tf.tensor2d(tb ? transpose(b) : b);
      const wT = tf.tensor2d(w);
      const g = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
        tf.sum(tf.mul(tf.matMul(x, y, ta, tb), wT))
      );
      return g([aIn, bIn]).map((t) => t.arraySync() as Mat);
    });
    assertClose(grads[0].flat(), (ta ? transpose(dA) : dA).flat(), `dA ta=${ta} tb=${tb}`);
    assertClose(grads[1].flat(), (tb ? transpose(dB) : dB).flat(), `dB ta=${ta} tb=${tb}`);
  }
  // Batched [2, 3, 4] × [4, 5] (broadcast): dB sums over the batch.
  const g = tf.tidy(() => {
    const x = tf.tensor3d([a, a.map((r) => r.map((v) => 2 * v))]);
    const y = tf.tensor2d(b);
    const [gx, gy] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.matMul(p, q)))([x, y]);
    return { gx: gx.shape, gy: gy.arraySync() as Mat };
  });
  assert.deepEqual(g.gx, [2, 3, 4]);
  const ones = filled(3, 5, 0).map((r) => r.map(() => 1));
  assertClose(g.gy.flat(), matmul(transpose(a), ones).flat().map((v) => 3 * v), "broadcast dB");
  await tf.setBackend(previous ?? "cpu");
});

Deno.test("chooseBackend('auto') returns a started backend and never a fallback adapter", async () => {
  const previous = tf.getBackend();
  const info = await chooseBackend("auto", { exclude: ["cpu"] }).catch(() => chooseBackend("cpu"));
  assert.equal(tf.getBackend(), info.name === "tensorflow-gpu" ? "tensorflow" : info.name);
  assert.equal(info.requested === "auto" || info.name === "cpu", true);
  if (info.name === "webgpu") assert.ok(!/llvmpipe|swiftshader|fallback/i.test(info.detail ?? ""));
  if (info.isGpu) assert.ok(info.name === "webgpu" || info.name === "tensorflow-gpu");
  const x = tf.tensor2d([[1, 2], [3, 4]]);
  const y = tf.matMul(x, x);
  assert.deepEqual(Array.from(await y.data()), [7, 10, 15, 22]);
  tf.dispose([x, y]);
  await assert.rejects(() => chooseBackend("nope" as "cpu"), RangeError);
  await tf.setBackend(previous ?? "cpu");
});

// Stubs stand in for navigator.gpu: a real adapter request on a GPU-less machine loads Mesa's
// EGL/llvmpipe, which sometimes corrupts the heap when the test process exits.
const fallbackGpu = (description: string, isFallbackAdapter: boolean) => ({
  requested: 0,
  requestAdapter() {
    this.requested++;
    return Promise.resolve({ isFallbackAdapter, info: { vendor: "mesa", description } });
  },
});

Deno.test("chooseBackend('webgpu') refuses a software fallback adapter", async () => {
  for (
    const gpu of [fallbackGpu("llvmpipe (LLVM 15.0.6, 256 bits)", false), fallbackGpu("", true)]
  ) {
    await assert.rejects(() => chooseBackend("webgpu", { gpu }), /software fallback adapter/);
    assert.equal(gpu.requested, 1);
  }
});

const linuxWithoutGpuNode = Deno.build.os === "linux" &&
  ![...(() => {
    try {
      return Deno.readDirSync("/dev/dri");
    } catch {
      return [];
    }
  })()].some((e) => /^renderD/.test(e.name)) &&
  ![...Deno.readDirSync("/dev")].some((e) => /^(nvidia\d+|dxg)$/.test(e.name));

Deno.test({
  name:
    "on a Linux machine without a GPU device, chooseBackend never asks for an adapter or loads Mesa",
  ignore: !linuxWithoutGpuNode,
  fn: async () => {
    const gpu = (globalThis.navigator as unknown as { gpu?: { requestAdapter: unknown } }).gpu;
    const original = gpu?.requestAdapter;
    let requested = 0;
    if (gpu) {
      gpu.requestAdapter = () => {
        requested++;
        return Promise.resolve(null);
      };
    }
    try {
      await assert.rejects(() => chooseBackend("webgpu"), /no GPU device/);
      // Native backends are excluded too: where `setup:native` was run, auto would pick them before webgpu.
      const info = await chooseBackend("auto", {
        exclude: ["cpu", "tensorflow", "tensorflow-gpu"],
      });
      assert.match(info.detail ?? "", /skipped webgpu: not available \(no GPU device/);
      assert.equal(requested, 0);
      const loaded = Deno.readTextFileSync("/proc/self/maps").split("\n")
        .map((line) => line.split(/\s+/)[5] ?? "")
        .filter((path) => /libEGL|swrast_dri|libvulkan|mesa/i.test(path));
      assert.deepEqual([...new Set(loaded)], [], "no Mesa, EGL or Vulkan library in the process");
    } finally {
      if (gpu) gpu.requestAdapter = original;
      await tf.setBackend("cpu");
    }
  },
});
