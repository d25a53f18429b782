/**
 * Run progress: a live bar on a terminal (cli-progress: done/total, rate, ETA, failures),
 * plain periodic lines otherwise, nothing but errors with `--quiet`. Failed subjects are
 * always printed, one line each, to stderr.
 */
import cliProgress from "cli-progress";
import process from "node:process";

/** How progress is shown. */
export type ProgressMode = "bar" | "lines" | "quiet";

/** A progress display for one run. */
export interface Progress {
  /** One subject finished (ok or not). */
  tick(ok: boolean, failureLine?: string): void;
  /** A message that must not be garbled by the bar. */
  note(line: string): void;
  stop(): void;
}

/** The mode for `--quiet` and whether stderr is a terminal. */
export function chooseProgressMode(quiet: boolean): ProgressMode {
  if (quiet) return "quiet";
  return Deno.stderr.isTerminal() ? "bar" : "lines";
}

const encoder = new TextEncoder();
const writeStderr = (line: string) => Deno.stderr.writeSync(encoder.encode(line + "\n"));

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 90) return `${Math.round(s)}s`;
  if (s < 5400) return `${Math.round(s / 60)}m`;
  return `${(s / 3600).toFixed(1)}h`;
}

/** Starts a progress display for `total` subjects. */
export function createProgress(
  total: number,
  mode: ProgressMode,
  options: { intervalMs?: number; write?: (line: string) => void } = {},
): Progress {
  const writeErr = options.write ?? writeStderr;
  const started = performance.now();
  let done = 0, failed = 0, lastLine = started;
  const interval = options.intervalMs ?? 5000;
  const rate = () => done / Math.max(1e-3, (performance.now() - started) / 1000);
  // Our own ETA (cli-progress's restarts its estimate after every printed line: "ETA LLs").
  const etaText = () => {
    const r = rate();
    return formatSeconds(r > 0 ? (total - done) / r : Infinity);
  };
  const summary = () =>
    `${done}/${total} subjects, ${failed} failed, ${rate().toFixed(2)}/s, ETA ${etaText()}`;
  const payload = () => ({ rate: rate().toFixed(2), failed, etaText: etaText() });
  let bar: cliProgress.SingleBar | undefined;
  if (mode === "bar" && total > 0) {
    bar = new cliProgress.SingleBar({
      format: "{bar} {value}/{total} | {rate}/s | ETA {etaText} | failed {failed}",
      stream: process.stderr,
      hideCursor: true,
    }, cliProgress.Presets.shades_classic);
    bar.start(total, 0, { rate: "0.00", failed: 0, etaText: "?" });
  }
  const print = (line: string) => {
    if (bar) {
      bar.stop();
      writeErr(line);
      bar.start(total, done, payload());
    } else writeErr(line);
  };
  return {
    tick(ok, failureLine) {
      done++;
      if (!ok) failed++;
      if (failureLine && mode !== "quiet") print(failureLine); // quiet: the summary lists it
      if (bar) bar.update(done, payload());
      else if (mode === "lines") {
        const now = performance.now();
        if (now - lastLine >= interval || done === total) {
          lastLine = now;
          writeErr(`medprep: ${summary()}`);
        }
      }
    },
    note(line) {
      if (mode !== "quiet") print(line);
    },
    stop() {
      bar?.stop();
    },
  };
}
