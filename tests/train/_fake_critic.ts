// A deterministic stand-in critic for trainer tests.
import type { CritiqueOutcome, CritiqueRequest } from "../../lib/critic/mod.ts";
import { splitSteps } from "../../lib/steps/mod.ts";

/** Flags every step of odd length (any fixed rule will do), as one valid critique per response. */
export async function fakeCritic(
  requests: CritiqueRequest[],
): Promise<{ outcomes: CritiqueOutcome[] }> {
  await Promise.resolve();
  return {
    outcomes: requests.map(({ response }) => {
      const steps = splitSteps(response);
      const wrong = steps.flatMap((s, i) => (s.text.length % 2 === 1 ? [i] : []));
      return {
        steps,
        critiques: [{
          text: `Wrong steps: [${wrong}]`,
          wrongSteps: wrong,
          reason: "ok",
          cached: false,
        }],
        validCount: 1,
        wrongness: steps.map((_, i) => (wrong.includes(i) ? 1 : 0)),
        hasSignal: true,
      };
    }),
  };
}
