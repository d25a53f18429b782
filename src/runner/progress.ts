/**
 * Run progress: a live one-line bar on a terminal (done/total, rate, ETA, failures, warnings; it
 * fits the terminal's width, dropping the bar and then the rate before the counts and the ETA
 * are ever cut), plain periodic lines otherwise, nothing but errors with `--quiet`. A failure or
 * warning line erases the bar first and redraws it below, so no stale bar line stays on screen.
 */
import process from "node:process";

/** How progress is shown. */
export type ProgressMode = "bar" | "lines" | "quiet";

/** A progress display for one run. */
export interface Progress {
  /** One subject finished (ok or not). */
  tick(ok: boolean, failureLine?: string): void;
  /** A message that must not be garbled by the bar. */
  note(line: string): void;
  /** A warning: counted, and shown like a note (not with `--quiet`). */
  warn(line: string): void;
  /** Warnings counted so far. */
  readonly warnings: number;
  stop(): void;
}

/** The mode for `--quiet` and whether stderr is a terminal. */
export function chooseProgressMode(quiet: boolean): ProgressMode {
  if (quiet) return "quiet";
  return Deno.stderr.isTerminal() ? "bar" : "lines";
}

const encoder = new TextEncoder();
const writeStderr = (line: string) => Deno.stderr.writeSync(encoder.encode(line + "\n"));
const ERASE_LINE = "\r\x1b[2K";

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 90) return `${Math.round(s)}s`;
  if (s < 5400) return `${Math.round(s / 60)}m`;
  return `${(s / 3600).toFixed(1)}h`;
}

/** What the bar shows. */
export interface BarState {
  done: number;
  total: number;
  failed: number;
  warnings: number;
  /** Subjects per second. */
  rate: number;
  /** Estimated seconds left (Infinity: unknown). */
  etaSeconds: number;
}

/**
 * The bar line for a terminal of `columns` columns, at most `columns - 1` characters (a full last
 * column makes some terminals wrap): counts and ETA always whole; the bar shrinks and goes first,
 * then the rate, then the failed/warning labels shorten.
 */
export function renderBar(s: BarState, columns: number): string {
  const counts = `${s.done}/${s.total}`;
  const eta = `ETA ${formatSeconds(s.etaSeconds)}`;
  const rate = `${s.rate.toFixed(2)}/s`;
  const warn = s.warnings > 0 ? [`warnings ${s.warnings}`] : [];
  const shortWarn = s.warnings > 0 ? [`w${s.warnings}`] : [];
  const variants = [
    [counts, rate, eta, `failed ${s.failed}`, ...warn].join(" | "),
    [counts, eta, `failed ${s.failed}`, ...warn].join(" | "),
    [counts, eta, `f${s.failed}`, ...shortWarn].join(" "),
    [counts, eta].join(" "),
  ];
  const room = Math.max(1, columns - 1);
  const text = variants.find((v) => v.length <= room) ?? variants[variants.length - 1];
  const barWidth = Math.min(40, room - text.length - 1);
  if (barWidth < 8) return text;
  const filled = s.total > 0 ? Math.round((barWidth * s.done) / s.total) : 0;
  return `${"█".repeat(filled)}${"░".repeat(barWidth - filled)} ${text}`;
}

/** The terminal's width (stderr), 80 when unknown. */
function terminalColumns(): number {
  const c = (process.stderr as { columns?: number }).columns;
  return typeof c === "number" && c > 0 ? c : 80;
}

/** Starts a progress display for `total` subjects. */
export function createProgress(
  total: number,
  mode: ProgressMode,
  options: {
    intervalMs?: number;
    /** Writes one whole line (lines mode, and notes). */
    write?: (line: string) => void;
    /** Writes raw text to the terminal (bar mode). */
    writeRaw?: (text: string) => void;
    /** The terminal's width now (bar mode; read at every redraw). */
    columns?: () => number;
  } = {},
): Progress {
  const writeRaw = options.writeRaw ?? ((t: string) => void process.stderr.write(t));
  const writeLine = options.write ??
    (mode === "bar" ? (line: string) => writeRaw(line + "\n") : writeStderr);
  const columns = options.columns ?? terminalColumns;
  const started = performance.now();
  let done = 0, failed = 0, warnings = 0, lastLine = started;
  const interval = options.intervalMs ?? 5000;
  const rate = () => done / Math.max(1e-3, (performance.now() - started) / 1000);
  const eta = () => {
    const r = rate();
    return r > 0 ? (total - done) / r : Infinity;
  };
  const summary = () =>
    `${done}/${total} subjects, ${failed} failed${
      warnings ? `, ${warnings} warning${warnings === 1 ? "" : "s"}` : ""
    }, ${rate().toFixed(2)}/s, ETA ${formatSeconds(eta())}`;
  const bar = mode === "bar" && total > 0;
  let shown = false;
  const draw = () => {
    if (!bar) return;
    const state = { done, total, failed, warnings, rate: rate(), etaSeconds: eta() };
    writeRaw(ERASE_LINE + renderBar(state, columns()));
    shown = true;
  };
  let timer: ReturnType<typeof setInterval> | undefined;
  if (bar) {
    draw();
    const t = setInterval(draw, 1000); // the rate and ETA move between subjects too
    Deno.unrefTimer(t as unknown as number);
    timer = t;
  }
  const print = (line: string) => {
    if (bar && shown) writeRaw(ERASE_LINE);
    writeLine(line);
    if (bar) draw();
  };
  return {
    tick(ok, failureLine) {
      done++;
      if (!ok) failed++;
      if (failureLine && mode !== "quiet") print(failureLine); // quiet: the summary lists it
      if (bar) draw();
      else if (mode === "lines") {
        const now = performance.now();
        if (now - lastLine >= interval || done === total) {
          lastLine = now;
          writeLine(`medprep: ${summary()}`);
        }
      }
    },
    note(line) {
      if (mode !== "quiet") print(line);
    },
    warn(line) {
      warnings++;
      if (mode !== "quiet") print(line);
    },
    get warnings() {
      return warnings;
    },
    stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      if (bar && shown) writeRaw(ERASE_LINE); // the summary line takes its place
      shown = false;
    },
  };
}
