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
  return [...stableJsonChunks(value)].join("");
}

/**
 * `stringifyStable(value)` in pieces, each value below the second level (one subject of a
 * provenance file) made and formatted only when its piece is due: a file of 100,000 subjects
 * is written without ever holding its whole text or a sorted copy of it (issue #15.3).
 */
export function* stableJsonChunks(value: unknown): Generator<string> {
  yield* chunks(value, "", 0);
  yield "\n";
}

function* chunks(value: unknown, indent: string, depth: number): Generator<string> {
  if (depth >= 2 || isFlat(value) || ArrayBuffer.isView(value)) {
    yield format(canonical(value), indent);
    return;
  }
  const inner = indent + "  ";
  if (Array.isArray(value)) {
    if (value.length === 0 || value.every(isFlat)) {
      yield format(canonical(value), indent);
      return;
    }
    yield "[\n";
    for (let i = 0; i < value.length; i++) {
      yield inner;
      yield* chunks(value[i], inner, depth + 1);
      yield i + 1 < value.length ? ",\n" : "\n";
    }
    yield `${indent}]`;
    return;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort(compareKeys).filter((k) => obj[k] !== undefined);
  if (keys.length === 0) {
    yield "{}";
    return;
  }
  yield "{\n";
  for (let i = 0; i < keys.length; i++) {
    yield `${inner}${JSON.stringify(keys[i])}: `;
    yield* chunks(obj[keys[i]], inner, depth + 1);
    yield i + 1 < keys.length ? ",\n" : "\n";
  }
  yield `${indent}}`;
}

/**
 * Collects small pieces of text and hands them on in blocks of about `size` characters. With
 * `lines`, every block but the last ends at a newline, handed on without it (for console.log).
 */
export class TextBlocks {
  readonly #flush: (text: string) => void | Promise<void>;
  readonly #size: number;
  readonly #lines: boolean;
  #parts: string[] = [];
  #length = 0;

  constructor(
    flush: (text: string) => void | Promise<void>,
    options: { size?: number; lines?: boolean } = {},
  ) {
    this.#flush = flush;
    this.#size = options.size ?? 1 << 16;
    this.#lines = options.lines ?? false;
  }

  /** Adds text; returns the flush's promise when a block went out. */
  add(text: string): void | Promise<void> {
    this.#parts.push(text);
    this.#length += text.length;
    if (this.#length < this.#size) return;
    let block = this.#parts.join("");
    this.#parts = [];
    this.#length = 0;
    if (this.#lines) {
      const cut = block.lastIndexOf("\n");
      if (cut < 0) {
        this.#parts.push(block);
        this.#length = block.length;
        return;
      }
      const rest = block.slice(cut + 1);
      if (rest) {
        this.#parts.push(rest);
        this.#length = rest.length;
      }
      block = block.slice(0, cut);
    }
    return this.#flush(block);
  }

  /** Hands on what is left (with `lines`, without its final newline). */
  end(): void | Promise<void> {
    let block = this.#parts.join("");
    this.#parts = [];
    this.#length = 0;
    if (this.#lines && block.endsWith("\n")) block = block.slice(0, -1);
    if (block) return this.#flush(block);
  }
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
      const encoder = new TextEncoder();
      const blocks = new TextBlocks(async (text) => {
        const bytes = encoder.encode(text);
        for (let o = 0; o < bytes.length;) o += await file.write(bytes.subarray(o));
      });
      for (const piece of stableJsonChunks(value)) {
        const wrote = blocks.add(piece);
        if (wrote) await wrote;
      }
      await blocks.end();
      await file.syncData();
    }
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    const reason = e instanceof Error ? e.message : String(e);
    throw new Error(`Cannot write "${path}": ${reason}`);
  }
}
