/**
 * Deterministic zip archives (what NumPy's `savez` / `savez_compressed` write, read back by
 * `np.load`): members stored or raw-deflated (node:zlib), a fixed DOS time (1980-01-01 00:00),
 * no extra fields, no comments, no data descriptors; the same members give the same bytes.
 * Archives and members are limited to 4 GiB (no ZIP64).
 */
import zlib from "node:zlib";
import { crc32 } from "./crc32.ts";

/** One file of an archive. */
export interface ZipMember {
  /** Name inside the archive (ASCII or UTF-8). */
  readonly name: string;
  readonly bytes: Uint8Array;
}

const DOS_TIME = 0; // 00:00:00
const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01
const LIMIT = 0xffffffff;

/**
 * The bytes of a zip archive of `members`, in order; `level` 0 stores, 1–9 deflates.
 * @throws RangeError when a member or the archive exceeds 4 GiB, or names repeat
 */
export function encodeZip(
  members: readonly ZipMember[],
  options: { level?: number } = {},
): Uint8Array {
  const level = options.level ?? 0;
  const encoder = new TextEncoder();
  const names = new Set<string>();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const m of members) {
    if (names.has(m.name)) throw new RangeError(`Cannot write zip: member "${m.name}" repeats`);
    names.add(m.name);
    const name = encoder.encode(m.name);
    const crc = crc32(m.bytes);
    const data = level > 0 ? new Uint8Array(zlib.deflateRawSync(m.bytes, { level })) : m.bytes;
    const method = level > 0 ? 8 : 0;
    if (m.bytes.length > LIMIT || data.length > LIMIT || offset > LIMIT) {
      throw new RangeError(
        `Cannot write zip member "${m.name}": more than 4 GiB (ZIP64 is not supported)`,
      );
    }
    const utf8 = /[^\x20-\x7e]/.test(m.name) ? 0x0800 : 0;
    const local = new Uint8Array(30 + name.length);
    const l = new DataView(local.buffer);
    l.setUint32(0, 0x04034b50, true);
    l.setUint16(4, 20, true); // version needed: 2.0
    l.setUint16(6, utf8, true);
    l.setUint16(8, method, true);
    l.setUint16(10, DOS_TIME, true);
    l.setUint16(12, DOS_DATE, true);
    l.setUint32(14, crc, true);
    l.setUint32(18, data.length, true);
    l.setUint32(22, m.bytes.length, true);
    l.setUint16(26, name.length, true);
    l.setUint16(28, 0, true); // no extra field
    local.set(name, 30);
    const entry = new Uint8Array(46 + name.length);
    const c = new DataView(entry.buffer);
    c.setUint32(0, 0x02014b50, true);
    c.setUint16(4, 20, true); // made by: MS-DOS, 2.0
    c.setUint16(6, 20, true);
    c.setUint16(8, utf8, true);
    c.setUint16(10, method, true);
    c.setUint16(12, DOS_TIME, true);
    c.setUint16(14, DOS_DATE, true);
    c.setUint32(16, crc, true);
    c.setUint32(20, data.length, true);
    c.setUint32(24, m.bytes.length, true);
    c.setUint16(28, name.length, true);
    // extra, comment, disk start, internal and external attributes: 0
    c.setUint32(42, offset, true);
    entry.set(name, 46);
    parts.push(local, data);
    central.push(entry);
    offset += local.length + data.length;
  }
  const cdSize = central.reduce((n, e) => n + e.length, 0);
  if (offset + cdSize > LIMIT || members.length > 0xffff) {
    throw new RangeError(
      "Cannot write zip: more than 4 GiB or 65535 members (ZIP64 is not supported)",
    );
  }
  const end = new Uint8Array(22);
  const e = new DataView(end.buffer);
  e.setUint32(0, 0x06054b50, true);
  e.setUint16(8, members.length, true);
  e.setUint16(10, members.length, true);
  e.setUint32(12, cdSize, true);
  e.setUint32(16, offset, true);
  const out = new Uint8Array(offset + cdSize + 22);
  let o = 0;
  for (const p of [...parts, ...central, end]) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
