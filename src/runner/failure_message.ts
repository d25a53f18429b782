/**
 * The one-line message of a failed subject. Deno's sandbox denials ("Requires write access to
 * …, run again with the --allow-write flag") give advice that is wrong for medprep: a worker
 * may write only this run's staging folder and read only its subject's inputs, on purpose.
 */

const DENIAL = /Requires (read|write) access to "(.*?)", run again with the --allow-\w+ flag/;

/** What went wrong, in medprep's words (sandbox denials translated). */
export function describeFailure(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const m = DENIAL.exec(message);
  if (!m) return message;
  return m[1] === "write"
    ? `Cannot write "${m[2]}": it is outside the output folder, which medprep never writes`
    : `Cannot read "${m[2]}": it is not an input of this subject in the manifest`;
}
