import type { Document, LineCounter, Node } from "yaml";
import type { Issue } from "../errors.ts";
import { type DocPath, findNode, formatPath, positionOf } from "./yaml_positions.ts";

/** Collects issues of one YAML document, each placed at a node of it. */
export class IssueSink {
  readonly issues: Issue[] = [];
  constructor(
    readonly file: string,
    readonly doc: Document,
    readonly lineCounter: LineCounter,
  ) {}

  /** Adds an issue at a node (or at the file start when there is none). */
  atNode(node: Node | null | undefined, path: DocPath, message: string): void {
    const { line, col } = positionOf(this.lineCounter, node);
    this.issues.push({ file: this.file, line, col, path: formatPath(path), message });
  }

  /**
   * Adds an issue at `path`: the key node (`at: "key"`), the value node, or — for a
   * missing key — the deepest node that exists on the way (`at: "parent"`).
   */
  atPath(path: DocPath, message: string, at: "key" | "value" | "parent" = "value"): void {
    const match = findNode(this.doc, this.doc.contents as Node | null, path);
    const node = at === "key" && match.depth === path.length && match.key ? match.key : match.node;
    this.atNode(node, path, message);
  }

  /** Adds an issue at a character offset of the text. */
  atOffset(offset: number, path: DocPath, message: string): void {
    const { line, col } = this.lineCounter.linePos(offset);
    this.issues.push({ file: this.file, line, col, path: formatPath(path), message });
  }

  /** The issues in document order (stable for equal positions). */
  sorted(): Issue[] {
    return this.issues
      .map((issue, i) => ({ issue, i }))
      .sort((a, b) =>
        (a.issue.line ?? 0) - (b.issue.line ?? 0) || (a.issue.col ?? 0) - (b.issue.col ?? 0) ||
        a.i - b.i
      )
      .map((x) => x.issue);
  }
}
