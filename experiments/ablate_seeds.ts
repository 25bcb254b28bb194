/**
 * `deno task ablate:seeds`: CAPO vs GRPO across 5 seeds, with the paired difference and its 95% interval, reported as mean ± std (min–max) per estimator.
 * Grid and budget: experiments/configs/ablate_seeds.yaml. Writes ablation.json and ablation.md
 * into the parent lineage run; the record path is the last line of output.
 *
 *   deno task ablate:seeds [--config=FILE] [--runs-dir=DIR] [--rl.iterations=10 ...]
 * @module
 */
import { runMain } from "../lib/run/mod.ts";
import { runAblation } from "./_ablation.ts";

if (import.meta.main) {
  await runMain(
    "ablate:seeds",
    () => runAblation("ablate:seeds", "experiments/configs/ablate_seeds.yaml", Deno.args),
  );
}
