/**
 * Huge-page advice for the main thread's input buffers (issue 15.1): libc's madvise through
 * path-scoped FFI. Needs --allow-ffi for libc (script/test grants it, as the launchers do);
 * skipped with a notice without it. The kernel's record of the advice (VmFlags `hg` in
 * /proc/<pid>/smaps, read with `cat`) is checked whatever THP mode the machine runs.
 */
import assert from "node:assert/strict";
import { LIBC_CANDIDATES, openHugePageAdvice } from "../../src/runner/huge_pages.ts";
import { locateGrantedLibrary } from "../../src/nifti/ffi_library.ts";

const advise = openHugePageAdvice();
/** The libc the module opened (the same lookup), for this test's own memmove. */
const LIBC = locateGrantedLibrary(LIBC_CANDIDATES);
if (!advise) {
  console.warn(
    "NOTICE: huge_pages_test skipped: not Linux, or no --allow-ffi grant for libc " +
      `(${LIBC_CANDIDATES.join(", ")})`,
  );
}

/** The address of a buffer's first byte (the same memmove(b, b, 0) the module uses). */
function addressOf(bytes: Uint8Array): bigint {
  const lib = Deno.dlopen(LIBC!, {
    memmove: { parameters: ["buffer", "buffer", "usize"], result: "usize" },
  });
  try {
    return BigInt(lib.symbols.memmove(bytes, bytes, 0n));
  } finally {
    lib.close();
  }
}

/** The VmFlags of the mapping of this process that holds `address`. */
async function vmFlagsAt(address: bigint): Promise<string[]> {
  const out = await new Deno.Command("cat", { args: [`/proc/${Deno.pid}/smaps`], stdout: "piped" })
    .output();
  let inside = false;
  for (const line of new TextDecoder().decode(out.stdout).split("\n")) {
    const range = line.match(/^([0-9a-f]+)-([0-9a-f]+) /);
    if (range) inside = BigInt(`0x${range[1]}`) <= address && address < BigInt(`0x${range[2]}`);
    else if (inside && line.startsWith("VmFlags:")) return line.slice(8).trim().split(/\s+/);
  }
  return [];
}

Deno.test({
  name: "openHugePageAdvice marks a large buffer for huge pages without changing a byte",
  ignore: !advise,
  async fn() {
    const bytes = new Uint8Array(new ArrayBuffer(24 * 1024 * 1024 + 123));
    for (let i = 0; i < bytes.length; i += 4093) bytes[i] = (i * 7) & 255;
    const before = bytes.slice();
    const address = addressOf(bytes);
    // The middle of the buffer lies in a whole page whatever its alignment.
    const middle = address + BigInt(bytes.length >> 1);
    assert.ok(!(await vmFlagsAt(middle)).includes("hg"), "advised before the call");
    assert.equal(advise!(bytes.buffer), true);
    assert.ok((await vmFlagsAt(middle)).includes("hg"), "madvise(MADV_HUGEPAGE) not recorded");
    assert.deepEqual(bytes, before);
  },
});

Deno.test({
  name: "openHugePageAdvice leaves buffers smaller than a huge page alone",
  ignore: !advise,
  fn() {
    assert.equal(advise!(new ArrayBuffer(1024 * 1024)), false);
    assert.equal(advise!(new ArrayBuffer(0)), false);
  },
});

Deno.test("openHugePageAdvice is null without a granted libc (best effort, no error)", () => {
  assert.equal(openHugePageAdvice({ candidates: ["/nonexistent/libc.so.6"] }), null);
  assert.equal(openHugePageAdvice({ candidates: [] }), null);
});
