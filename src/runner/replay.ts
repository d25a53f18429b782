/**
 * `run --replay provenance.json --subject ID --copy K`: rebuild one augmented copy of one
 * subject with the values a previous run drew (each random step gets its recorded values).
 */
import { UsageError } from "../errors.ts";
import type { Plan } from "../recipe/plan.ts";
import type { Provenance } from "../provenance/types.ts";
import type { Job } from "./messages.ts";
import { stringifyStable } from "../provenance/stable_json.ts";

const fail = (message: string) => new UsageError([{ path: "--replay", message }]);

/**
 * The single job to replay.
 * @throws UsageError when the file, subject or copy cannot be replayed
 */
export async function selectReplay(
  jobs: readonly Job[],
  replay: { provenance: string; subject: string; copy: number },
  plan: Plan,
): Promise<Job[]> {
  const recipe = plan.recipe;
  let previous: Provenance;
  try {
    previous = JSON.parse(await Deno.readTextFile(replay.provenance));
  } catch (e) {
    throw fail(`Cannot read provenance "${replay.provenance}": ${(e as Error).message}`);
  }
  const recorded = previous.recipe?.resolved?.steps;
  if (recorded && stringifyStable(recorded) !== stringifyStable(recipe.steps)) {
    const at = recipe.steps.findIndex((s, i) =>
      i >= recorded.length || stringifyStable(s) !== stringifyStable(recorded[i])
    );
    throw fail(
      `Cannot replay from "${replay.provenance}": its recipe differs from this one at steps[${
        at < 0 ? recipe.steps.length : at
      }]; replay with the recipe that made it`,
    );
  }
  const record = previous.subjects?.find((s) => s.id === replay.subject);
  if (!record) {
    throw fail(`Cannot replay subject "${replay.subject}": it is not in "${replay.provenance}"`);
  }
  const job = jobs.find((j) => j.id === replay.subject);
  if (!job) throw fail(`Cannot replay subject "${replay.subject}": it is not in the manifest`);
  const copies = plan.copies;
  if (!Number.isInteger(replay.copy) || replay.copy < 0 || replay.copy >= copies) {
    throw fail(`Cannot replay copy ${replay.copy}: the recipe makes copies 0..${copies - 1}`);
  }
  return [{ ...job, replay: { copy: replay.copy, steps: record.steps ?? [] } }];
}
