/**
 * Ctrl-C / SIGTERM handling for a run: the first signal calls `onSignal` (stop dispatching,
 * terminate workers, then write provenance and exit 130); listeners are removed by `dispose`.
 */

/** Signals that interrupt a run (SIGTERM only where the platform has it). */
const SIGNALS: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];

/** Listens for SIGINT/SIGTERM; returns a function that stops listening. */
export function listenForInterrupt(onSignal: (signal: Deno.Signal) => void): () => void {
  let fired = false;
  const handlers = SIGNALS.map((signal) => {
    const handler = () => {
      if (fired) return;
      fired = true;
      onSignal(signal);
    };
    Deno.addSignalListener(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) Deno.removeSignalListener(signal, handler);
  };
}

/** Removes medprep temp files (`.medprep-tmp-*`) left in `dirs` by terminated writers. */
export async function removeTempFiles(dirs: Iterable<string>): Promise<number> {
  let removed = 0;
  for (const dir of new Set(dirs)) {
    try {
      for await (const entry of Deno.readDir(dir)) {
        if (entry.isFile && entry.name.startsWith(".medprep-tmp-")) {
          await Deno.remove(`${dir}/${entry.name}`).catch(() => {});
          removed++;
        }
      }
    } catch { /* directory never created */ }
  }
  return removed;
}
