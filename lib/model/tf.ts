/**
 * The one place capo imports TensorFlow.js: the core API (`tf`), the always-available cpu backend,
 * the wasm-friendly gradient of BatchMatMul, and `chooseBackend`, which loads the other backends
 * lazily and reports which one really started.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
// The node build of tfjs-core registers no gradients; the union package's import registers them all
// (process-wide registry, shared by every copy of tfjs-core through the global engine).
import "@tensorflow/tfjs";

import { mayHaveGpu, muteTfjsChatter } from "./_startup.ts";

export { tf };

/** A backend name `chooseBackend` accepts; `auto` takes the fastest that really starts. */
export type BackendName = "auto" | "tensorflow-gpu" | "tensorflow" | "webgpu" | "wasm" | "cpu";

/**
 * The concrete backends, in the order `auto` tries them. Native TensorFlow comes before WebGPU for
 * two reasons: capo's policies are small enough that WebGPU's per-kernel dispatch cost outweighs
 * its arithmetic (native CPU runs the reference train step in ~0.1 s), and on this machine loading
 * libtensorflow AFTER a WebGPU adapter request (Mesa llvmpipe brings its own LLVM) segfaults the
 * process, while the reverse order is safe.
 */
export const BACKEND_ORDER: readonly Exclude<BackendName, "auto">[] = Object.freeze([
  "tensorflow-gpu",
  "tensorflow",
  "webgpu",
  "wasm",
  "cpu",
]);

/** What `chooseBackend` started; record it in lineage. */
export interface BackendInfo {
  /** The backend that runs: one of the concrete {@linkcode BackendName}s. */
  name: Exclude<BackendName, "auto">;
  /** What the caller asked for. */
  requested: BackendName;
  /** True when kernels run on a real GPU (never for a software fallback adapter). */
  isGpu: boolean;
  /** Adapter or device description, and why faster backends were skipped under `auto`. */
  detail?: string;
}

/** Options for {@linkcode chooseBackend}. */
export interface ChooseBackendOptions {
  /** Backends `auto` must not try (e.g. `["webgpu"]` for bit-reproducible CPU runs). @default [] */
  exclude?: readonly Exclude<BackendName, "auto">[];
  /**
   * The WebGPU entry point. Passing one (a test stub) skips the GPU device check below.
   * @default navigator.gpu, asked only when the machine has a GPU device (Linux: /dev/dri/renderD*,
   * /dev/nvidia*, /dev/dxg)
   */
  gpu?: GpuLike;
}

/** The part of `navigator.gpu` that `chooseBackend` uses. */
export interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<
    {
      isFallbackAdapter?: boolean;
      info?: {
        vendor?: string;
        architecture?: string;
        device?: string;
        description?: string;
        isFallbackAdapter?: boolean;
      };
    } | null
  >;
}

/**
 * Starts a TensorFlow.js backend and makes it current. Backend packages load lazily: a package or
 * native binding that is missing makes that backend "not available" (reason in `detail`), never a
 * crash under `auto`. A WebGPU software fallback adapter (llvmpipe, SwiftShader) is refused.
 *
 * @param name A concrete backend, or `auto` for the fastest that starts.
 * @param options See {@linkcode ChooseBackendOptions}.
 * @returns What started.
 * @throws {Error} When the named backend (or, under `auto`, every backend) cannot start.
 * @example
 * ```ts
 * const info = await chooseBackend("auto");
 * console.log(info.name, info.isGpu, info.detail);
 * ```
 */
export async function chooseBackend(
  name: BackendName,
  options: ChooseBackendOptions = {},
): Promise<BackendInfo> {
  const { exclude = [], gpu } = options;
  if (name !== "auto" && !BACKEND_ORDER.includes(name)) {
    throw new RangeError(
      `Cannot choose backend: expected one of auto, ${BACKEND_ORDER.join(", ")}, got "${name}"`,
    );
  }
  const candidates = name === "auto" ? BACKEND_ORDER.filter((b) => !exclude.includes(b)) : [name];
  const skipped: string[] = [];
  for (const candidate of candidates) {
    const result = await tryStart(candidate, gpu);
    if (typeof result === "string") {
      skipped.push(`${candidate}: ${result}`);
      continue;
    }
    const notes = [result.detail, ...skipped.map((s) => `skipped ${s}`)].filter(Boolean);
    return {
      name: candidate,
      requested: name,
      isGpu: result.isGpu,
      ...(notes.length ? { detail: notes.join("; ") } : {}),
    };
  }
  throw new Error(`Cannot start backend "${name}": ${skipped.join("; ")}`);
}

/**
 * Set once a software WebGPU adapter (Mesa llvmpipe) has been opened in this process: loading
 * libtensorflow after it segfaults (two LLVMs), so native backends are then refused with a reason.
 */
let softwareAdapterOpened = false;
/** Set once libtensorflow is loaded (after which a WebGPU probe is harmless). */
let nativeLoaded = false;

/** Loads and starts one backend; a string is the reason it is not available. */
async function tryStart(
  name: Exclude<BackendName, "auto">,
  gpu: GpuLike | undefined,
): Promise<{ isGpu: boolean; detail?: string } | string> {
  const chatter = muteTfjsChatter();
  try {
    const result = await tryStartLoud(name, gpu);
    // tfjs explains a failed start only in its own console lines: keep that explanation.
    return typeof result === "string" && chatter.lines.length
      ? `${result}: ${chatter.lines.join(" ").slice(0, 300)}`
      : result;
  } finally {
    chatter.restore();
  }
}

async function tryStartLoud(
  name: Exclude<BackendName, "auto">,
  gpu: GpuLike | undefined,
): Promise<{ isGpu: boolean; detail?: string } | string> {
  try {
    switch (name) {
      case "cpu": {
        if (!(await tf.setBackend("cpu"))) return "setBackend returned false";
        // The cpu backend prints a "install our node backend" banner on its first tensor; capo
        // already reports which backend runs and why faster ones were skipped.
        (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
        return { isGpu: false };
      }
      case "wasm": {
        await import("@tensorflow/tfjs-backend-wasm");
        const ok = await tf.setBackend("wasm");
        return ok ? { isGpu: false, detail: "wasm single-threaded" } : "setBackend returned false";
      }
      case "webgpu":
        return await startWebGpu(gpu);
      case "tensorflow":
      case "tensorflow-gpu":
        return await startNative(name);
    }
  } catch (error) {
    return `not available (${firstLine(error)})`;
  }
}

async function startWebGpu(
  injected: GpuLike | undefined,
): Promise<{ isGpu: boolean; detail?: string } | string> {
  if (!injected && !(await mayHaveGpu())) {
    return "not available (no GPU device: no /dev/dri/renderD*, /dev/nvidia* or /dev/dxg)";
  }
  const gpu = injected ?? (globalThis.navigator as unknown as { gpu?: GpuLike })?.gpu;
  if (!gpu) return "not available (no navigator.gpu)";
  const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  if (!adapter) return "not available (no WebGPU adapter)";
  const info = adapter.info ?? {};
  const description = [info.vendor, info.architecture, info.device, info.description]
    .filter(Boolean).join(" ");
  if (
    adapter.isFallbackAdapter || info.isFallbackAdapter || /llvmpipe|swiftshader/i.test(description)
  ) {
    if (!injected) softwareAdapterOpened = true;
    return `refused: software fallback adapter (${description || "isFallbackAdapter"})`;
  }
  await import("@tensorflow/tfjs-backend-webgpu");
  if (!(await tf.setBackend("webgpu"))) return "setBackend returned false";
  return { isGpu: true, detail: `adapter ${description || "unknown"}` };
}

async function startNative(
  name: "tensorflow" | "tensorflow-gpu",
): Promise<{ isGpu: boolean; detail?: string } | string> {
  const missing = await missingAddon(name);
  if (missing) return missing;
  if (softwareAdapterOpened && !nativeLoaded) {
    return "refused: a software WebGPU adapter is open in this process and libtensorflow would " +
      "crash loading after it; choose the native backend before webgpu";
  }
  await polyfillNodeUtil();
  // libtensorflow logs INFO lines (CPU feature notices) to stderr when it loads; warnings and
  // errors still print. A value the user set wins.
  try {
    if (Deno.env.get("TF_CPP_MIN_LOG_LEVEL") === undefined) {
      Deno.env.set("TF_CPP_MIN_LOG_LEVEL", "1");
    }
  } catch {
    // no environment permission: libtensorflow keeps its default logging
  }
  if (name === "tensorflow") await import("@tensorflow/tfjs-node");
  else await import("@tensorflow/tfjs-node-gpu");
  nativeLoaded = true;
  registerFastGradients(); // in case the native package re-ran tfjs's gradient registrations
  if (!(await tf.setBackend("tensorflow"))) return "setBackend returned false";
  // deno-lint-ignore no-explicit-any
  const usingGpu = Boolean((tf.backend() as any).isUsingGpuDevice);
  if (name === "tensorflow-gpu" && !usingGpu) {
    return "refused: the native binding found no GPU device";
  }
  return { isGpu: usingGpu, detail: `libtensorflow ${nativeVersion()}` };
}

/**
 * Checks for the built addon before importing the package: a failed import would already have
 * registered the package's kernels under "tensorflow" (and clash with the other native package).
 */
async function missingAddon(name: "tensorflow" | "tensorflow-gpu"): Promise<string | undefined> {
  const entry = name === "tensorflow"
    ? import.meta.resolve("@tensorflow/tfjs-node")
    : import.meta.resolve("@tensorflow/tfjs-node-gpu");
  const lib = new URL("../lib/", entry);
  try {
    for await (const dir of Deno.readDir(lib)) {
      const binding = new URL(`${dir.name}/tfjs_binding.node`, lib);
      if (await Deno.stat(binding).then(() => true, () => false)) return undefined;
    }
  } catch {
    // no lib/ folder: the addon was never built
  }
  return `not available (addon not built: run \`deno task setup:native${
    name === "tensorflow-gpu" ? " --gpu" : ""
  }\`)`;
}

/**
 * tfjs-node calls `util.isNullOrUndefined`, which Deno's `node:util` no longer has. This adds it to
 * the shared `node:util` object (a process-wide side effect, only when a native backend loads).
 */
async function polyfillNodeUtil(): Promise<void> {
  const util = (await import("node:util")).default as unknown as Record<string, unknown>;
  if (typeof util.isNullOrUndefined !== "function") {
    util.isNullOrUndefined = (value: unknown) => value === null || value === undefined;
  }
}

function nativeVersion(): string {
  // deno-lint-ignore no-explicit-any
  const binding = (tf.backend() as any).binding;
  return String(binding?.TF_Version ?? "loaded");
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0].slice(0, 300);
}

/** Swaps the last two axes (the explicit transpose the wasm matMul prefers over flags). */
function transposeLast(x: tf.Tensor): tf.Tensor {
  const perm = [...Array(x.rank).keys()];
  [perm[x.rank - 2], perm[x.rank - 1]] = [perm[x.rank - 1], perm[x.rank - 2]];
  return tf.transpose(x, perm);
}

/** Sums a broadcast gradient back to the input's shape (the stock gradient skips this). */
function reduceTo(grad: tf.Tensor, shape: number[]): tf.Tensor {
  if (grad.rank === shape.length && grad.shape.every((d, i) => d === shape[i])) return grad;
  const lead = grad.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < grad.rank - 2; i++) {
    if (i < lead || shape[i - lead] === 1) axes.push(i);
  }
  return tf.reshape(axes.length ? tf.sum(grad, axes) : grad, shape);
}

/**
 * Registers the BatchMatMul gradient with explicit transposes instead of transpose flags (the wasm
 * backend's flagged matMul is ~7× slower). tfjs has no separate MatMul kernel: every
 * `tf.matMul` runs BatchMatMul. The gradient registry is process-wide; this is capo's only global
 * TensorFlow.js state besides the backend registry, it is numerically the stock gradient, and
 * registering twice is harmless. Runs once when this module loads.
 *
 * @example
 * ```ts
 * registerFastGradients(); // already done on import; safe to call again
 * ```
 */
export function registerFastGradients(): void {
  tf.registerGradient({
    kernelName: tf.BatchMatMul,
    inputsToSave: ["a", "b"],
    gradFunc: (dy, saved, attrs) => {
      const dyT = dy as tf.Tensor;
      const [a, b] = saved;
      const { transposeA, transposeB } = attrs as unknown as {
        transposeA: boolean;
        transposeB: boolean;
      };
      const t = transposeLast;
      const mm = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y);
      let ga: () => tf.Tensor;
      let gb: () => tf.Tensor;
      if (tf.getBackend() === "tensorflow") {
        // Native TensorFlow takes transpose flags for free, and explicit transposes copy: the
        // stock gradient (a LoRA step of a 50M Qwen2 shape: 0.57 → 0.40 CPU-s).
        const f = (x: tf.Tensor, y: tf.Tensor, ta: boolean, tb: boolean) => tf.matMul(x, y, ta, tb);
        [ga, gb] = !transposeA && !transposeB
          ? [() => f(dyT, b, false, true), () => f(a, dyT, true, false)]
          : !transposeA
          ? [() => f(dyT, b, false, false), () => f(dyT, a, true, false)]
          : !transposeB
          ? [() => f(b, dyT, false, true), () => f(a, dyT, false, false)]
          : [() => f(b, dyT, true, true), () => f(dyT, a, true, true)];
      } else if (!transposeA && !transposeB) {
        ga = () => mm(dyT, t(b));
        gb = () => mm(t(a), dyT);
      } else if (!transposeA && transposeB) {
        ga = () => mm(dyT, b);
        gb = () => mm(t(dyT), a);
      } else if (transposeA && !transposeB) {
        ga = () => mm(b, t(dyT));
        gb = () => mm(a, dyT);
      } else {
        ga = () => mm(t(b), t(dyT));
        gb = () => mm(t(dyT), t(a));
      }
      return { a: () => reduceTo(ga(), a.shape), b: () => reduceTo(gb(), b.shape) };
    },
  });
}

registerFastGradients();
