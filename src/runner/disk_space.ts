/**
 * Free disk space for the pre-flight warning. Deno has no statfs, so this asks `df -Pk`
 * (needs `--allow-run=df`); when that is not possible the check is skipped with a reason.
 */

/** Free bytes on the file system holding `dir` (or its nearest existing ancestor). */
export async function readFreeBytes(dir: string): Promise<number | { skipped: string }> {
  let target = dir;
  while (target.length > 1) {
    try {
      await Deno.stat(target);
      break;
    } catch {
      target = target.slice(0, Math.max(1, target.lastIndexOf("/")));
    }
  }
  const permission = await Deno.permissions.query({ name: "run", command: "df" });
  if (permission.state !== "granted") return { skipped: "running df is not permitted" };
  try {
    const out = await new Deno.Command("df", {
      args: ["-Pk", target],
      stdout: "piped",
      stderr: "null",
    }).output();
    const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
    const available = Number(lines[1]?.trim().split(/\s+/)[3]);
    if (!out.success || !Number.isFinite(available)) return { skipped: "df gave no answer" };
    return available * 1024;
  } catch (e) {
    return { skipped: `df failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Human-readable size, e.g. "1.5 GB". */
export function formatBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let v = bytes, u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v >= 10 || u === 0 ? Math.round(v) : v.toFixed(1)} ${units[u]}`;
}

/** Whether an error message says the disk (or quota) is full (ENOSPC, EDQUOT). */
export function isDiskFull(message: string): boolean {
  return /No space left on device|os error 28\b|ENOSPC|Disk quota exceeded|os error 122\b/
    .test(message);
}

/** The closing line of a run stopped by a full disk (SPEC §8 exit 1). */
export function diskFullLine(outDir: string, subjects: readonly { status: string }[]): string {
  const done = subjects.filter((s) => s.status === "done").length;
  const notStarted = subjects.filter((s) => s.status === "pending").length;
  return `medprep: disk full at ${outDir}: ${done} done, ${notStarted} not started; ` +
    "free space and --resume";
}
