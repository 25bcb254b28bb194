/**
 * `deno task ablate:voting:train`: the voting ablation on *trained policies*, as the paper's voting
 * table compares them: CAPO arms per vote rule × k at a stated reference-critic noise, with the same
 * seeds and budget, each through the runner; mean ± std over seeds and the paired difference of two
 * rules. Grid and budget: experiments/configs/ablate_voting_train.yaml. (`deno task ablate:voting`
 * scores the critic's labels only, without training.)
 *
 *   deno task ablate:voting:train [--config=FILE] [--runs-dir=DIR] [--rl.iterations=10 ...]
 * @module
 */
import { runMain } from "../lib/run/mod.ts";
import { runAblation } from "./_ablation.ts";

if (import.meta.main) {
  await runMain(
    "ablate:voting:train",
    () =>
      runAblation("ablate:voting:train", "experiments/configs/ablate_voting_train.yaml", Deno.args),
  );
}
