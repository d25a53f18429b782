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

/**
 * Removes the run's staging directory and the given leftover outputs until a pass finds
 * nothing: a terminated worker thread may still finish a native call (a gzip pass, a rename)
 * shortly after `terminate()`, so one sweep is not enough. Only this run's files are touched,
 * so shards running concurrently in the same output directory are safe.
 */
export async function sweepUntilClean(
  stagingDir: string,
  leftovers: readonly string[],
  options: { pauseMs?: number; cleanPasses?: number; maxPasses?: number } = {},
): Promise<void> {
  const pause = options.pauseMs ?? 100, needClean = options.cleanPasses ?? 3;
  const max = options.maxPasses ?? 50;
  for (let pass = 0, clean = 0; pass < max; pass++) {
    let removed = await Deno.remove(stagingDir, { recursive: true }).then(() => 1, () => 0);
    for (const path of leftovers) {
      removed += await Deno.remove(path).then(() => 1, () => 0);
    }
    clean = removed === 0 ? clean + 1 : 0;
    if (clean >= needClean || pass + 1 >= max) return;
    await new Promise((r) => setTimeout(r, pause));
  }
}

function hostName(): string {
  try {
    return Deno.hostname().replace(/[^\w.-]/g, "_");
  } catch {
    return "host"; // no --allow-sys
  }
}

/** A new staging directory name for this process: `.medprep-tmp-run-<host>-<pid>-<random>`. */
export function createStagingName(): string {
  return `.medprep-tmp-run-${hostName()}-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
}

/**
 * Removes staging directories left in `outDir` by runs on this host that were killed
 * (SIGKILL, power loss): their process no longer exists. Directories of live processes and
 * of other hosts (shards on other nodes) are left alone.
 */
export async function removeStaleStaging(outDir: string): Promise<number> {
  const prefix = `.medprep-tmp-run-${hostName()}-`;
  let removed = 0;
  try {
    for await (const e of Deno.readDir(outDir)) {
      if (!e.isDirectory || !e.name.startsWith(prefix)) continue;
      const pid = Number(e.name.slice(prefix.length).split("-")[0]);
      if (!Number.isInteger(pid) || pid === Deno.pid) continue;
      const alive = await Deno.stat(`/proc/${pid}`).then(() => true, () => false);
      const procfs = await Deno.stat("/proc/self").then(() => true, () => false);
      if (procfs && !alive) {
        await Deno.remove(`${outDir}/${e.name}`, { recursive: true }).catch(() => {});
        removed++;
      }
    }
  } catch { /* no output directory yet */ }
  return removed;
}
