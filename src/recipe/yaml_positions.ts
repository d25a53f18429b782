import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
} from "yaml";

/** A path inside a YAML document: map keys and list indices. */
export type DocPath = readonly (string | number)[];

/** Formats a path as `steps[1].transforms[0].affine`. */
export function formatPath(path: DocPath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? part : `.${part}`;
  }
  return out;
}

/** What `findNode` found: the deepest existing node on the path, and how much of the path it covers. */
export interface NodeMatch {
  /** The value node at the path (or the deepest ancestor that exists). */
  node: Node | null;
  /** The key node when the last matched part is a map key. */
  key: Node | null;
  /** Number of path parts matched; `path.length` when the whole path exists. */
  depth: number;
}

function keyName(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

/** Walks `path` from `root` through maps and lists (following aliases). */
export function findNode(doc: Document, root: Node | null, path: DocPath): NodeMatch {
  let node = root;
  let key: Node | null = null;
  let depth = 0;
  for (const part of path) {
    const target = isAlias(node) ? (node.resolve(doc) as Node | undefined) ?? null : node;
    let next: Node | null | undefined;
    let nextKey: Node | null = null;
    if (isMap(target) && typeof part === "string") {
      const pair = target.items.find((p) => isPair(p) && keyName(p.key) === part);
      if (pair) {
        next = (pair.value as Node | null) ?? (pair.key as Node);
        nextKey = pair.key as Node;
      }
    } else if (isSeq(target) && typeof part === "number") {
      next = target.items[part] as Node | undefined;
    }
    if (next === undefined || next === null) break;
    node = next;
    key = nextKey;
    depth++;
  }
  return { node, key: depth > 0 ? key : null, depth };
}

/** 1-based line and column of a node's start (or of offset 0 when there is no node). */
export function positionOf(
  lineCounter: LineCounter,
  node: Node | null | undefined,
): { line: number; col: number } {
  const offset = node?.range?.[0] ?? 0;
  const { line, col } = lineCounter.linePos(offset);
  return { line, col };
}

/** The path of the node (value or key) that starts at `offset`, or undefined when none does. */
export function findPathAt(root: Node | null, offset: number): (string | number)[] | undefined {
  const walk = (node: unknown, path: (string | number)[]): (string | number)[] | undefined => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const name = keyName(pair.key);
        const here = name === undefined ? path : [...path, name];
        if ((pair.key as Node | null)?.range?.[0] === offset) return here;
        const found = walk(pair.value, here);
        if (found) return found;
      }
    } else if (isSeq(node)) {
      for (let i = 0; i < node.items.length; i++) {
        const found = walk(node.items[i], [...path, i]);
        if (found) return found;
      }
    }
    return (node as Node | null)?.range?.[0] === offset ? path : undefined;
  };
  return walk(root, []);
}
