/**
 * `deno task ablate:weights`: Reward-weight ablation: W_process in {0.1, 1, 2, 5} at W_whole = 2 (CAPO paper), CAPO estimator,
 * same seed and budget per cell.
 * Grid and budget: experiments/configs/ablate_weights.yaml. Writes ablation.json and ablation.md
 * into the parent lineage run; the record path is the last line of output.
 *
 *   deno task ablate:weights [--config=FILE] [--runs-dir=DIR] [--rl.iterations=10 ...]
 * @module
 */
import { runMain } from "../lib/run/mod.ts";
import { runAblation } from "./_ablation.ts";

if (import.meta.main) {
  await runMain(
    "ablate:weights",
    () => runAblation("ablate:weights", "experiments/configs/ablate_weights.yaml", Deno.args),
  );
}
