/** SHA-256 of bytes and files (files streamed in 1 MiB chunks). Permissions: --allow-read. */
import { createHash } from "node:crypto";

const CHUNK = 1 << 20;

/** Hex SHA-256 of `bytes`. */
export function sha256Bytes(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Hex SHA-256 of a file, read in chunks (sync, for workers). */
export function sha256FileSync(path: string): string {
  const hash = createHash("sha256");
  const buf = new Uint8Array(CHUNK);
  using f = Deno.openSync(path, { read: true });
  for (;;) {
    const n = f.readSync(buf);
    if (n === null || n === 0) break;
    hash.update(buf.subarray(0, n));
  }
  return hash.digest("hex");
}

/** Hex SHA-256 of a file, read in chunks without blocking the event loop. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  const buf = new Uint8Array(CHUNK);
  using f = await Deno.open(path, { read: true });
  for (;;) {
    const n = await f.read(buf);
    if (n === null || n === 0) break;
    hash.update(buf.subarray(0, n));
  }
  return hash.digest("hex");
}
