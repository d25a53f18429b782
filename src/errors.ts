/** One problem found in a recipe, manifest or argument list, with its position. */
export interface Issue {
  /** File the problem is in (recipe or manifest path), if any. */
  file?: string;
  /** Dotted path inside the document, e.g. `steps[1].max`; row for manifests. */
  path: string;
  /** 1-based line and column, when known. */
  line?: number;
  /** 1-based column, when known. */
  col?: number;
  /** What is wrong, e.g. `min must be < max`. */
  message: string;
}

/** Formats an issue as `file:line:col path: message`. */
export function formatIssue(issue: Issue): string {
  const where = [issue.file, issue.line, issue.col].filter((p) => p !== undefined).join(":");
  const head = [where, issue.path].filter((p) => p !== undefined && p !== "").join(" ");
  return head ? `${head}: ${issue.message}` : issue.message;
}

/** A list of problems found before anything ran (exit 2), one formatted issue a line. */
export class IssuesError extends Error {
  /** Every problem found, in document order. */
  readonly issues: readonly Issue[];
  /** An error holding `issues`; its message is one formatted issue a line. */
  constructor(issues: readonly Issue[]) {
    super(issues.map(formatIssue).join("\n"));
    this.name = "IssuesError";
    this.issues = issues;
  }
}

/** Every problem of a recipe; nothing ran (exit 2). */
export class RecipeError extends IssuesError {
  /** Always "RecipeError". */
  override readonly name = "RecipeError";
}

/** Every problem of a manifest; nothing ran (exit 2). */
export class ManifestError extends IssuesError {
  /** Always "ManifestError". */
  override readonly name = "ManifestError";
}

/** Every problem of the command line (arguments, options); nothing ran (exit 2). */
export class UsageError extends IssuesError {
  /** Always "UsageError". */
  override readonly name = "UsageError";
}

/** A file that cannot be read as NIfTI (or written): one line naming the file. */
export class NiftiError extends Error {
  /** The file that could not be read or written. */
  readonly file: string;
  /** `Cannot read "<file>": <reason>`. */
  constructor(file: string, reason: string) {
    super(`Cannot read "${file}": ${reason}`);
    this.name = "NiftiError";
    this.file = file;
  }
}
