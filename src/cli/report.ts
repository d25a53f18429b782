import { formatIssue, type Issue } from "../errors.ts";

/** The issues as printed: one `file:line:col path: message` line each, then a count. */
export function formatIssueReport(issues: readonly Issue[], subject: string): string {
  const lines = issues.map(formatIssue);
  const n = issues.length;
  lines.push(`${subject}: ${n} problem${n === 1 ? "" : "s"}, nothing was read or written`);
  return lines.join("\n");
}

/** Prints the issues of a recipe or manifest to stderr. */
export function printIssues(issues: readonly Issue[], subject: string): void {
  console.error(formatIssueReport(issues, subject));
}
