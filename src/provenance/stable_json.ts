/**
 * Stable JSON for provenance: keys of every object are ordered by one fixed rank table
 * (the order SPEC §9 lists them), unknown keys follow alphabetically, so the bytes never
 * depend on construction order, worker count or subject order.
 */

/** Keys in the order they appear in provenance files; others sort alphabetically after. */
export const KEY_ORDER: readonly string[] = [
  "tool",
  "step",
  "index",
  "name",
  "version",
  "deno",
  "v8",
  "typescript",
  "id",
  "row",
  "recipe",
  "role",
  "label",
  "copy",
  "path",
  "glob",
  "sha256",
  "git",
  "commit",
  "dirty",
  "resolved",
  "seed",
  "manifest",
  "kind",
  "command",
  "shard",
  "count",
  "assigned",
  "all",
  "started",
  "finished",
  "status",
  "subjects",
  "inputs",
  "steps",
  "params",
  "record",
  "shape",
  "frames",
  "spacing",
  "affine",
  "dtype",
  "dtypeReason",
  "clamped",
  "items",
  "ms",
  "outputs",
  "warnings",
  "error",
  "message",
];

const RANK = new Map(KEY_ORDER.map((k, i) => [k, i]));

function compareKeys(a: string, b: string): number {
  const ra = RANK.get(a), rb = RANK.get(b);
  if (ra !== undefined && rb !== undefined) return ra - rb;
  if (ra !== undefined) return -1;
  if (rb !== undefined) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === "object") {
    if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>);
    const obj = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(obj).sort(compareKeys)) {
      if (obj[k] !== undefined) out[k] = canonical(obj[k]);
    }
    return out;
  }
  if (typeof value === "number" && Object.is(value, -0)) return 0;
  if (typeof value === "bigint") return value.toString();
  return value;
}

const isFlat = (v: unknown) => v === null || typeof v !== "object";

function format(value: unknown, indent: string): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    if (value.every(isFlat)) return `[${value.map((v) => JSON.stringify(v)).join(", ")}]`;
    const inner = indent + "  ";
    return `[\n${value.map((v) => inner + format(v, inner)).join(",\n")}\n${indent}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 0) return "{}";
    const inner = indent + "  ";
    const body = entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${format(v, inner)}`);
    return `{\n${body.join(",\n")}\n${indent}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * JSON text with stable key order, two-space indent, arrays of scalars on one line (shapes,
 * affine rows) and a final newline.
 */
export function stringifyStable(value: unknown): string {
  return format(canonical(value), "") + "\n";
}

/**
 * Writes `value` as stable JSON to `path` atomically (temp file in the same directory, synced,
 * then renamed), so readers never see a half-written file.
 */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const slash = path.lastIndexOf("/");
  const dir = slash >= 0 ? path.slice(0, slash) : ".";
  const tmp = `${dir}/.medprep-tmp-${crypto.randomUUID()}.json`;
  try {
    {
      // On disk before it replaces the old file (a journal is removed right after).
      using file = await Deno.open(tmp, { write: true, createNew: true });
      const bytes = new TextEncoder().encode(stringifyStable(value));
      for (let o = 0; o < bytes.length;) o += await file.write(bytes.subarray(o));
      await file.syncData();
    }
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    const reason = e instanceof Error ? e.message : String(e);
    throw new Error(`Cannot write "${path}": ${reason}`);
  }
}
