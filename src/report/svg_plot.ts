/**
 * Small inline-SVG histograms for the report (no script, no external resource): a value list
 * → bars over equal-width bins between its min and max, with the axis range and count written.
 */
import { escapeHtml, formatValue } from "./html.ts";
import { maxOf, minOf } from "../volume/stats.ts";

/** Counts of `values` in `bins` equal-width bins over [min, max] (one bin when all equal). */
export function histogram(
  values: readonly number[],
  bins = 12,
): { min: number; max: number; counts: number[] } {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return { min: NaN, max: NaN, counts: [] };
  const min = minOf(finite), max = maxOf(finite);
  if (max === min) return { min, max, counts: [finite.length] };
  const counts = new Array(bins).fill(0);
  for (const v of finite) {
    counts[Math.min(bins - 1, Math.floor(((v - min) / (max - min)) * bins))]++;
  }
  return { min, max, counts };
}

/** An SVG histogram of `values` titled `title` (`unit` after the axis numbers). */
export function histogramSvg(title: string, values: readonly number[], unit = ""): string {
  const w = 220, h = 110, left = 8, right = 8, top = 20, bottom = 24;
  const { min, max, counts } = histogram(values);
  const n = values.filter(Number.isFinite).length;
  const peak = Math.max(1, ...counts);
  const plotW = w - left - right, plotH = h - top - bottom;
  const barW = counts.length ? plotW / counts.length : plotW;
  const bars = counts.map((c, i) => {
    const bh = (c / peak) * plotH;
    return `<rect class="bar" x="${(left + i * barW + 1).toFixed(1)}" y="${
      (top + plotH - bh).toFixed(1)
    }" width="${Math.max(1, barW - 2).toFixed(1)}" height="${
      bh.toFixed(1)
    }"><title>${c}</title></rect>`;
  }).join("");
  const range = n === 0
    ? "no values"
    : min === max
    ? `all ${formatValue(min)}${unit}`
    : `${formatValue(min)}${unit} … ${formatValue(max)}${unit}`;
  return `<svg class="plot" role="img" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" ` +
    `aria-label="${escapeHtml(title)}">` +
    `<text x="${left}" y="13" class="plot-title">${escapeHtml(title)} (n=${n})</text>` +
    `<line x1="${left}" y1="${top + plotH}" x2="${w - right}" y2="${top + plotH}" class="axis"/>` +
    bars +
    `<text x="${w / 2}" y="${h - 8}" text-anchor="middle" class="plot-range">${
      escapeHtml(range)
    }</text></svg>`;
}

/** An SVG bar plot of a list of values (one bar each, e.g. a histogram's counts), titled. */
export function barsSvg(title: string, values: readonly number[]): string {
  const w = 220, h = 70, top = 16, bottom = 14, left = 4, right = 4;
  const finite = values.map((v) => (Number.isFinite(v) ? v : 0));
  const lo = Math.min(0, ...finite), hi = Math.max(0, ...finite);
  const span = hi - lo || 1;
  const plotH = h - top - bottom, barW = (w - left - right) / Math.max(1, finite.length);
  const zero = top + plotH * (hi / span);
  const bars = finite.map((v, i) => {
    const y = top + plotH * ((hi - Math.max(v, 0)) / span);
    const bh = (Math.abs(v) / span) * plotH;
    return `<rect class="bar" x="${(left + i * barW).toFixed(2)}" y="${
      (v >= 0 ? y : zero).toFixed(2)
    }" width="${Math.max(0.5, barW - (barW > 3 ? 1 : 0)).toFixed(2)}" height="${bh.toFixed(2)}"/>`;
  }).join("");
  return `<svg class="plot" role="img" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" ` +
    `aria-label="${escapeHtml(title)}"><text x="${left}" y="11" class="plot-range">${
      escapeHtml(
        `${values.length} values, ${formatValue(minOf(finite))} … ${formatValue(maxOf(finite))}`,
      )
    }</text>${bars}</svg>`;
}
