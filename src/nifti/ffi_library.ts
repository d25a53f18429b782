/**
 * Finding a system library to open through Deno's FFI: the first of a list of absolute paths
 * that is a file this process holds an `--allow-ffi` grant for. The grant is only queried, never
 * requested (no prompt). Used for libdeflate (libdeflate.ts) and libc (runner/huge_pages.ts).
 */

/** Whether this process may load `path` through FFI. */
function ffiGranted(path: string): boolean {
  try {
    return Deno.permissions.querySync({ name: "ffi", path }).state === "granted";
  } catch {
    return false;
  }
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** The first of `candidates` present whose FFI grant this process has, or null. */
export function locateGrantedLibrary(candidates: readonly string[]): string | null {
  return candidates.find((path) => ffiGranted(path) && isFile(path)) ?? null;
}
