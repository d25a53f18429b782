/**
 * The real ITK 5.2 resampler of ../shared/tools/itk (built by .ci/run into a cache folder,
 * never into ../shared): where the binary is, and running it. Tests using it skip with a
 * visible notice when it is absent. Permissions: --allow-read --allow-run --allow-env.
 */

/** ../shared/corpus beside the repository. */
export const CORPUS = new URL("../../../shared/corpus/", import.meta.url);

function findBinary(): string | null {
  const env = Deno.env.get("MEDPREP_ITK");
  const cache = Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME") ?? ""}/.cache`;
  for (const path of [env, `${cache}/medprep-itk/itk_resample`]) {
    if (!path) continue;
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch { /* not there */ }
  }
  return null;
}

/** Path of the itk_resample binary ($MEDPREP_ITK, else the build.sh default cache), or null. */
export const ITK_BINARY: string | null = findBinary();

/** Whether ../shared/corpus is present. */
export const HAVE_CORPUS: boolean = (() => {
  try {
    return Deno.statSync(new URL("manifest.json", CORPUS)).isFile;
  } catch {
    return false;
  }
})();

if (!ITK_BINARY) {
  console.warn(
    "NOTICE: itk_resample not built ($MEDPREP_ITK or ~/.cache/medprep-itk/itk_resample; " +
      ".ci/run builds it with ../shared/tools/itk/build.sh): ITK parity tests are SKIPPED",
  );
}

/** What one itk_resample run printed and returned. */
export interface ItkRun {
  code: number;
  stderr: string;
}

/** Runs itk_resample with `args` (IN OUT then options, as its usage line says). */
export function runItk(args: string[]): ItkRun {
  if (!ITK_BINARY) throw new Error("itk_resample is not available");
  const out = new Deno.Command(ITK_BINARY, {
    args: [...args, "--threads", "1"],
    stdout: "null",
    stderr: "piped",
  }).outputSync();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}
