import { equal } from "node:assert/strict";

/**
 * Compares `actual` with the committed text file `expected` exactly; with UPDATE_SNAPSHOTS=1
 * in the environment, (re)writes the file instead.
 */
export async function assertMatchesFile(actual: string, expected: URL): Promise<void> {
  if (Deno.env.get("UPDATE_SNAPSHOTS") === "1") {
    await Deno.writeTextFile(expected, actual);
    return;
  }
  let text: string;
  try {
    text = await Deno.readTextFile(expected);
  } catch {
    throw new Error(`Cannot read snapshot "${expected.pathname}": run with UPDATE_SNAPSHOTS=1`);
  }
  equal(actual, text);
}
