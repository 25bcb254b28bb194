/**
 * `deno task ablate:estimators`: Advantage-estimator ablation: capo, grpo, dr_grpo and rloo with the same seed, reward weights
 * and budget.
 * Grid and budget: experiments/configs/ablate_estimators.yaml. Writes ablation.json and ablation.md
 * into the parent lineage run; the record path is the last line of output.
 *
 *   deno task ablate:estimators [--config=FILE] [--runs-dir=DIR] [--rl.iterations=10 ...]
 * @module
 */
import { runMain } from "../lib/run/mod.ts";
import { runAblation } from "./_ablation.ts";

if (import.meta.main) {
  await runMain(
    "ablate:estimators",
    () => runAblation("ablate:estimators", "experiments/configs/ablate_estimators.yaml", Deno.args),
  );
}
