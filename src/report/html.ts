/** HTML text escaping for the report (every value from provenance goes through it). */

/** `text` with `& < > " '` escaped, safe in element content and quoted attributes. */
export function escapeHtml(text: unknown): string {
  return String(text)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** A number for humans: integers as is, others with up to 4 significant digits. */
export function formatValue(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return String(x);
  return Number(x.toPrecision(4)).toString();
}
