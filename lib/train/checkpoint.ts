/**
 * Resumable training state: a checkpoint folder per saved iteration (`iter-000010/`) with the
 * trained weights, the optimizer moments in `optimizer.safetensors` and `state.json` with the
 * iteration, RNG states and bookkeeping, and `latest.json`, written last and atomically, naming the
 * newest complete one — so a run killed mid-save resumes from the one before. capo's transformer is
 * saved whole as a policy checkpoint (`model.safetensors` + `config.json`, loadable on its own);
 * any other policy (a Hugging Face checkpoint) saves only what trains, in `trainable.safetensors`:
 * the LoRA factors, or every weight under full fine-tuning. Its frozen weights come from the folder
 * the run names, as at the start.
 * @module
 */
import {
  type CheckpointFile,
  decodeSafetensors,
  encodeSafetensors,
  type NamedTensor,
  paramShapes,
  type Policy,
  saveCheckpoint,
  tf,
  writeTrackedFile,
} from "../model/mod.ts";
import type { AdamState } from "../rl/optim.ts";
import { readTextIfExists, writeFileAtomic } from "../util/mod.ts";

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
/** The weights file of a policy other than capo's transformer: its trained variables only. */
const TRAINABLE = "trainable.safetensors";

/** Whether `policy` is capo's transformer: every weight trains and the names are `paramShapes`'. */
function isBuiltin(policy: Policy): boolean {
  const shapes = paramShapes(policy.config);
  return shapes.length === policy.variables.length &&
    shapes.every(([name], i) => policy.params[name] === policy.variables[i]);
}

/** The `params` name of each trained variable, in `policy.variables` order. */
function trainableNames(policy: Policy): string[] {
  const names = new Map<tf.Variable, string>();
  for (const [name, v] of Object.entries(policy.params)) if (!names.has(v)) names.set(v, name);
  return policy.variables.map((v, i) => {
    const name = names.get(v);
    if (name === undefined) {
      throw new TypeError(
        `Cannot checkpoint the policy: expected trained variable ${i} (${v.name}) among policy.params, not found`,
      );
    }
    return name;
  });
}

function iterDir(iteration: number): string {
  return `iter-${String(iteration).padStart(6, "0")}`;
}

/**
 * Writes the trained weights, optimizer state and trainer state (with the policy's own
 * `trainingState()`, e.g. its dropout counter) under `dir/iter-NNNNNN/`, each file atomically, then
 * points `dir/latest.json` at it.
 *
 * @param dir The run's checkpoint folder.
 * @param policy The policy: capo's transformer is saved whole (`model.safetensors` + `config.json`),
 *   any other only its `variables` (`trainable.safetensors`, named by their `params` keys).
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
  const files: CheckpointFile[] = [];
  if (isBuiltin(policy)) {
    files.push(...(await saveCheckpoint(policy, folder, { iteration: state.iteration })).files);
  } else {
    const tensors: NamedTensor[] = [];
    for (const [i, key] of trainableNames(policy).entries()) {
      const v = policy.variables[i];
      tensors.push({ name: key, shape: v.shape, data: await v.data() as Float32Array });
    }
    files.push(
      await writeTrackedFile(
        `${folder}/${TRAINABLE}`,
        encodeSafetensors(tensors, { format: "capo-trainable" }),
      ),
    );
  }
  const moments: NamedTensor[] = [];
  policy.variables.forEach((v, i) => {
    moments.push({ name: `m.${i}`, shape: v.shape, data: state.adam.m[i] });
    moments.push({ name: `v.${i}`, shape: v.shape, data: state.adam.v[i] });
  });
  const optimizer = encodeSafetensors(moments, { format: "capo-adam" });
  const policyState = policy.trainingState?.();
  const stateJson = JSON.stringify(
    {
      iteration: state.iteration,
      rngState: state.rngState,
      adamStep: state.adam.step,
      ...(policyState ? { policyState } : {}),
      ...state.extra,
    },
    null,
    2,
  ) + "\n";
  files.push(await writeTrackedFile(`${folder}/optimizer.safetensors`, optimizer));
  files.push(await writeTrackedFile(`${folder}/state.json`, stateJson));
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
 * Loads the newest complete checkpoint of `dir` into `policy` (trained weights assigned in place,
 * its training state restored).
 *
 * @param dir The run's checkpoint folder.
 * @param policy A policy of the same config (for a Hugging Face one: loaded from the same folder
 *   with the same LoRA settings); its variables receive the saved weights.
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
  const file = `${folder}/${isBuiltin(policy) ? "model.safetensors" : TRAINABLE}`;
  const weights = decodeSafetensors(await Deno.readFile(file), file);
  const expected = policy.variables.length;
  const names = trainableNames(policy);
  for (const [i, name] of names.entries()) {
    const saved = weights.tensors[name];
    const variable = policy.variables[i];
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
  const { iteration, rngState, adamStep, policyState, ...extra } = JSON.parse(
    await Deno.readTextFile(`${folder}/state.json`),
  ) as
    & { iteration: number; rngState: number; adamStep: number }
    & { policyState?: Record<string, number> }
    & Record<string, unknown>;
  tf.tidy(() => {
    for (const [i, name] of names.entries()) {
      const saved = weights.tensors[name];
      policy.variables[i].assign(tf.tensor(saved.data, saved.shape, "float32"));
    }
  });
  if (policyState) policy.setTrainingState?.(policyState);
  return { iteration, rngState, adam: { step: adamStep, m, v }, extra };
}
