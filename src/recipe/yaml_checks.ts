import { type Document, isAlias, isPair, isScalar, type Node, visit } from "yaml";
import type { IssueSink } from "./issue_sink.ts";
import { findPathAt } from "./yaml_positions.ts";

/** Tags of the YAML 1.2 core schema; any other tag (e.g. `!!js/function`) is rejected. */
const CORE_TAGS = new Set(
  ["str", "int", "float", "bool", "null", "seq", "map"].map((t) => `tag:yaml.org,2002:${t}`),
);

const INDENT_ERRORS = new Set([
  "BAD_INDENT",
  "TAB_AS_INDENT",
  "BLOCK_AS_IMPLICIT_KEY",
  "MULTILINE_IMPLICIT_KEY",
  "MISSING_CHAR",
]);

/**
 * Records YAML syntax errors, duplicate keys, complex keys, non-core tags and undefined
 * aliases; false when the document cannot be trusted further.
 */
export function checkYamlSyntax(sink: IssueSink, text: string, doc: Document): boolean {
  const root = doc.contents as Node | null;
  const lines = new Set<number>();
  let fatal = false;
  for (const e of doc.errors) {
    if (e.code === "DUPLICATE_KEY") {
      const path = findPathAt(root, e.pos[0]) ?? [];
      const key = text.slice(e.pos[0]).match(/^("[^"\n]*"|'[^'\n]*'|[^:\n]*)/)?.[0].trim();
      sink.atOffset(e.pos[0], path, `Cannot use key ${key} twice: keys of a map must be unique`);
      continue;
    }
    fatal = true;
    const { line } = sink.lineCounter.linePos(e.pos[0]);
    const hint = INDENT_ERRORS.has(e.code) ? "; check the indentation" : "";
    if (!lines.has(line)) sink.atOffset(e.pos[0], [], `Cannot parse YAML: ${e.message}${hint}`);
    lines.add(line);
  }
  for (const w of doc.warnings) {
    if (w.code === "TAG_RESOLVE_FAILED") continue;
    sink.atOffset(w.pos[0], [], `Cannot parse YAML: ${w.message}`);
  }
  visit(doc, (_key, node) => {
    if (node === null || typeof node !== "object") return;
    if (isPair(node)) {
      if (node.key !== null && !isScalar(node.key)) {
        fatal = true;
        const at = (node.key as Node).range?.[0] ?? 0;
        sink.atOffset(at, findPathAt(root, at) ?? [], "Cannot use a list or map as a key");
      }
      return;
    }
    const start = (node as Node).range?.[0] ?? 0;
    const tag = (node as { tag?: string }).tag;
    if (tag !== undefined && !CORE_TAGS.has(tag)) {
      fatal = true;
      const shown = tag.replace(/^tag:yaml\.org,2002:/, "!!");
      sink.atOffset(
        start,
        findPathAt(root, start) ?? [],
        `Cannot use tag ${shown}: recipes are plain data and nothing in them is evaluated`,
      );
    }
    if (isAlias(node) && node.resolve(doc) === undefined) {
      fatal = true;
      sink.atOffset(
        start,
        findPathAt(root, start) ?? [],
        `Cannot use alias *${node.source}: no anchor &${node.source} is defined before it`,
      );
    }
  });
  return !fatal;
}

/** The document as plain data (aliases expanded, at most 100); undefined after an issue. */
export function toPlainData(sink: IssueSink, doc: Document): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    sink.atNode(null, [], `Cannot resolve YAML aliases: ${e instanceof Error ? e.message : e}`);
    return undefined;
  }
}
