/**
 * Resumable training state: a checkpoint folder per saved iteration (`iter-000010/` with the
 * policy's `model.safetensors` + `config.json`, the optimizer moments in `optimizer.safetensors`
 * and `state.json` with the iteration, RNG state and bookkeeping), and `latest.json`, written last
 * and atomically, naming the newest complete one — so a run killed mid-save resumes from the one
 * before.
 * @module
 */
import {
  type CheckpointFile,
  decodeSafetensors,
  encodeSafetensors,
  type NamedTensor,
  type Policy,
  saveCheckpoint,
  tf,
} from "../model/mod.ts";
import type { AdamState } from "../rl/optim.ts";
import { readTextIfExists, sha256Hex, writeFileAtomic } from "../util/mod.ts";

/** What a trainer needs, besides the weights, to continue exactly where it stopped. */
export interface TrainState {
  /** Iterations completed. */
  iteration: number;
  /** State of the trainer's main random stream (`Rng.state`). */
  rngState: number;
  /** Optimizer step count and moments. */
  adam: AdamState;
  /** Anything else the trainer records (metrics so far, config hash, ...). JSON-serialisable. */
  extra: Record<string, unknown>;
}

/** Options for {@linkcode saveTrainState}. */
export interface SaveTrainStateOptions {
  /** Checkpoint folders kept (older ones are deleted). @default 2 */
  keep?: number;
}

const LATEST = "latest.json";

function iterDir(iteration: number): string {
  return `iter-${String(iteration).padStart(6, "0")}`;
}

/**
 * Writes policy weights, optimizer state and trainer state under `dir/iter-NNNNNN/`, then points
 * `dir/latest.json` at it.
 *
 * @param dir The run's checkpoint folder.
 * @param policy The policy.
 * @param state Iteration, RNG state, Adam state and extras.
 * @param options See {@linkcode SaveTrainStateOptions}.
 * @returns The files written, with sha256 and bytes.
 * @example
 * ```ts
 * const files = await saveTrainState("runs/x/checkpoints", policy, {
 *   iteration: 10, rngState: rng.state, adam: await adam.getState(), extra: {},
 * });
 * ```
 */
export async function saveTrainState(
  dir: string,
  policy: Policy,
  state: TrainState,
  options: SaveTrainStateOptions = {},
): Promise<CheckpointFile[]> {
  const { keep = 2 } = options;
  const name = iterDir(state.iteration);
  const folder = `${dir}/${name}`;
  const { files } = await saveCheckpoint(policy, folder, { iteration: state.iteration });
  const moments: NamedTensor[] = [];
  policy.variables.forEach((v, i) => {
    moments.push({ name: `m.${i}`, shape: v.shape, data: state.adam.m[i] });
    moments.push({ name: `v.${i}`, shape: v.shape, data: state.adam.v[i] });
  });
  const optimizer = encodeSafetensors(moments, { format: "capo-adam" });
  const stateJson = JSON.stringify(
    {
      iteration: state.iteration,
      rngState: state.rngState,
      adamStep: state.adam.step,
      ...state.extra,
    },
    null,
    2,
  ) + "\n";
  for (
    const [file, data] of [["optimizer.safetensors", optimizer], ["state.json", stateJson]] as const
  ) {
    await writeFileAtomic(`${folder}/${file}`, data);
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    files.push({ path: `${folder}/${file}`, sha256: await sha256Hex(bytes), bytes: bytes.length });
  }
  await writeFileAtomic(
    `${dir}/${LATEST}`,
    JSON.stringify({ iteration: state.iteration, dir: name }) + "\n",
  );
  await pruneOld(dir, keep);
  return files;
}

async function pruneOld(dir: string, keep: number): Promise<void> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isDirectory && /^iter-\d{6}$/.test(entry.name)) names.push(entry.name);
  }
  names.sort();
  for (const name of names.slice(0, Math.max(0, names.length - keep))) {
    await Deno.remove(`${dir}/${name}`, { recursive: true });
  }
}

/**
 * Loads the newest complete checkpoint of `dir` into `policy` (weights assigned in place).
 *
 * @param dir The run's checkpoint folder.
 * @param policy A policy of the same config; its variables receive the saved weights.
 * @returns The saved state, or `undefined` when `dir` holds no checkpoint.
 * @throws {SyntaxError} When a checkpoint file is malformed or its shapes differ from `policy`'s.
 * @example
 * ```ts
 * const state = await loadTrainState("runs/x/checkpoints", policy);
 * if (state) adam.setState(state.adam);
 * ```
 */
export async function loadTrainState(dir: string, policy: Policy): Promise<TrainState | undefined> {
  const latestText = await readTextIfExists(`${dir}/${LATEST}`);
  if (latestText === undefined) return undefined;
  const latest = JSON.parse(latestText) as { iteration: number; dir: string };
  const folder = `${dir}/${latest.dir}`;
  const weights = decodeSafetensors(await Deno.readFile(`${folder}/model.safetensors`), folder);
  const expected = policy.variables.length;
  const names = Object.keys(policy.params);
  for (const name of names) {
    const saved = weights.tensors[name];
    const variable = policy.params[name];
    if (!saved || saved.shape.join() !== variable.shape.join()) {
      throw new SyntaxError(
        `Cannot resume from ${folder}: expected ${name} of shape [${variable.shape}], got ${
          saved ? `[${saved.shape}]` : "nothing"
        }`,
      );
    }
  }
  const optimizer = decodeSafetensors(
    await Deno.readFile(`${folder}/optimizer.safetensors`),
    `${folder}/optimizer.safetensors`,
  );
  const m: Float32Array[] = [];
  const v: Float32Array[] = [];
  for (let i = 0; i < expected; i++) {
    const mi = optimizer.tensors[`m.${i}`];
    const vi = optimizer.tensors[`v.${i}`];
    if (!mi || !vi) {
      throw new SyntaxError(
        `Cannot resume from ${folder}: expected optimizer moments m.${i}, v.${i}`,
      );
    }
    m.push(mi.data);
    v.push(vi.data);
  }
  const { iteration, rngState, adamStep, ...extra } = JSON.parse(
    await Deno.readTextFile(`${folder}/state.json`),
  ) as { iteration: number; rngState: number; adamStep: number } & Record<string, unknown>;
  tf.tidy(() => {
    for (const name of names) {
      const saved = weights.tensors[name];
      policy.params[name].assign(tf.tensor(saved.data, saved.shape, "float32"));
    }
  });
  return { iteration, rngState, adam: { step: adamStep, m, v }, extra };
}
