/**
 * `deno task bench io`: read and write a 512×512×300 int16 .nii.gz phantom (generated once
 * under bench/.data/) with medprep and with nibabel (Debian's /usr/bin/python3), each in a
 * fresh process so that peak RSS is measurable; prints MB/s (of raw voxel bytes) and peak RSS.
 * Goal (issue 3): read ≥ nibabel's speed, peak RSS ≤ 1.3× the raw size.
 */
import { hasNibabel, lastJson, mb, measureDeno, measurePython } from "./_peer.ts";
import {
  CT_PATH as PHANTOM,
  CT_RAW_BYTES as RAW,
  CT_SHAPE as SHAPE,
  ensureCtPhantom,
} from "./_phantom.ts";

const NIB_READ = `
import sys, time, numpy as np, nibabel as nib
t = time.perf_counter(); img = nib.load(sys.argv[1]); d = np.asanyarray(img.dataobj)
ms = (time.perf_counter() - t) * 1000
print('{"ms": %f, "sum": %d}' % (ms, int(d[::7, ::5, ::3].sum())))`;
const NIB_WRITE = `
import sys, time, numpy as np, nibabel as nib
img = nib.load(sys.argv[1]); d = np.asanyarray(img.dataobj)
out = nib.Nifti1Image(d, img.affine, img.header)
t = time.perf_counter(); out.to_filename(sys.argv[2]); ms = (time.perf_counter() - t) * 1000
print('{"ms": %f}' % ms)`;

/** Runs one measured operation; imports only what it needs so RSS reflects the operation. */
async function child(args: string[]): Promise<void> {
  const [op, file, out, level] = args;
  const { readNifti, readNiftiInWorker, readNiftiSync } = await import(
    "../src/nifti/nifti_read.ts"
  );
  const t0 = performance.now();
  if (op === "readhashed") {
    // A runner worker since issue 10.5: the bytes decoded are hashed as they are read.
    const { readNiftiHashedSync } = await import("../src/nifti/nifti_read.ts");
    const { image, files } = readNiftiHashedSync(file);
    const ms = performance.now() - t0;
    console.log(JSON.stringify({ ms, n: image.volume.data.length, sha: files[0].sha256 }));
    return;
  }
  if (op === "readsync+sha256") {
    // What a runner worker did before issue 10.5: decode, then hash in a second read.
    const { sha256FileSync } = await import("../src/nifti/hash.ts");
    const img = readNiftiSync(file);
    const sha = sha256FileSync(file);
    const ms = performance.now() - t0;
    console.log(JSON.stringify({ ms, n: img.volume.data.length, sha }));
    return;
  }
  if (op.startsWith("read")) {
    const img = op === "read"
      ? await readNifti(file)
      : op === "readworker"
      ? await readNiftiInWorker(file)
      : readNiftiSync(file);
    const ms = performance.now() - t0;
    console.log(JSON.stringify({ ms, dtype: img.volume.dtype, n: img.volume.data.length }));
    return;
  }
  const { writeNifti } = await import("../src/nifti/nifti_write.ts");
  const img = readNiftiSync(file);
  const t1 = performance.now();
  await writeNifti(out, img.volume, { level: Number(level) });
  console.log(JSON.stringify({ ms: performance.now() - t1 }));
}

interface Row {
  tool: string;
  op: string;
  ms: number;
  rss: number;
}

/** Runs the benchmark and prints a table. */
export default async function main(args: string[]): Promise<number> {
  if (args[0] === "--child") {
    await child(args.slice(1));
    return 0;
  }
  await ensureCtPhantom();
  const self = new URL(import.meta.url).pathname;
  const tmp = Deno.makeTempDirSync({ prefix: "medprep-bench-io-" });
  const rows: Row[] = [];
  const add = async (tool: string, op: string, p: Promise<import("./_peer.ts").ChildResult>) => {
    const r = await p;
    rows.push({ tool, op, ms: lastJson<{ ms: number }>(r).ms, rss: r.peakRss });
  };
  const nib = await hasNibabel();
  try {
    for (let rep = 0; rep < 2; rep++) {
      await add("medprep", "read (readNifti)", measureDeno(self, ["--child", "read", PHANTOM]));
      await add(
        "medprep",
        "read (readNiftiInWorker)",
        measureDeno(self, ["--child", "readworker", PHANTOM]),
      );
      await add(
        "medprep",
        "read (readNiftiSync)",
        measureDeno(self, ["--child", "readsync", PHANTOM]),
      );
      await add(
        "medprep",
        "read+sha256 (2 reads)",
        measureDeno(self, ["--child", "readsync+sha256", PHANTOM]),
      );
      await add(
        "medprep",
        "read+sha256 (1 read)",
        measureDeno(self, ["--child", "readhashed", PHANTOM]),
      );
      if (nib) await add("nibabel", "read (dataobj, int16)", measurePython(NIB_READ, [PHANTOM]));
    }
    await add(
      "medprep",
      "write gzip level 1",
      measureDeno(self, ["--child", "write", PHANTOM, `${tmp}/m1.nii.gz`, "1"]),
    );
    await add(
      "medprep",
      "write gzip level 6",
      measureDeno(self, ["--child", "write", PHANTOM, `${tmp}/m6.nii.gz`, "6"]),
    );
    if (nib) {
      await add(
        "nibabel",
        "write (default level 1)",
        measurePython(NIB_WRITE, [PHANTOM, `${tmp}/n.nii.gz`]),
      );
    }
  } finally {
    Deno.removeSync(tmp, { recursive: true });
  }
  console.log(
    `phantom ${SHAPE.join("x")} int16, raw ${mb(RAW)} MB, file ${
      mb(Deno.statSync(PHANTOM).size)
    } MB`,
  );
  if (!nib) console.warn("nibabel not available in /usr/bin/python3: peer numbers skipped");
  console.log("tool     op                          ms      MB/s   peak RSS MB  RSS/raw");
  for (const r of rows) {
    console.log(
      `${r.tool.padEnd(8)} ${r.op.padEnd(26)} ${r.ms.toFixed(0).padStart(6)} ${
        (RAW / 1e6 / (r.ms / 1000)).toFixed(0).padStart(8)
      } ${mb(r.rss).padStart(12)} ${(r.rss / RAW).toFixed(3).padStart(8)}`,
    );
  }
  const best = (tool: string, op: string) =>
    Math.min(...rows.filter((r) => r.tool === tool && r.op === op).map((r) => r.ms));
  const worstRss = Math.max(...rows.filter((r) => r.op === "read (readNifti)").map((r) => r.rss));
  console.log(
    `goal peak RSS ≤ 1.3× raw (readNifti): ${(worstRss / RAW).toFixed(3)}× → ${
      worstRss <= 1.3 * RAW ? "met" : "NOT met"
    }`,
  );
  if (nib) {
    const ratio = best("nibabel", "read (dataobj, int16)") / best("medprep", "read (readNifti)");
    console.log(
      `goal read ≥ nibabel's speed: readNifti is ${ratio.toFixed(2)}× nibabel → ${
        ratio >= 1 ? "met" : "NOT met"
      }`,
    );
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
