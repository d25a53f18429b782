/**
 * Renders a preview: three orthogonal slices (axial, coronal, sagittal) of a volume in world
 * orientation, intensities windowed to grey, label maps drawn as coloured outlines, and a
 * caption stating the slices, the display convention and the window. Pure: volumes in, RGB out.
 *
 * Convention (stated in every caption): neurological RAS display on the closest canonical axes —
 * axial and coronal views have the subject's right (R) on the right of the image; axial has
 * anterior (A) up, coronal and sagittal superior (S) up, sagittal anterior on the left. Each
 * panel's edges are lettered. Pixels are square in millimetres (anisotropic voxels are
 * stretched), sampled with nearest neighbour.
 */
import { derivePercentiles } from "../volume/stats.ts";
import { frameLength, type Volume } from "../volume/volume.ts";
import { deriveSpacing } from "../volume/volume.ts";
import { closestWorldAxes, type WorldAxes } from "./orientation.ts";
import { drawText, GLYPH_CELL, textWidth } from "./font.ts";

/** What one preview shows. */
export interface PreviewInput {
  /** First caption line (the output file). */
  title: string;
  /** The intensity volume drawn in grey; absent = black background (a label-only subject). */
  image?: Volume;
  /** Label maps outlined over it (role name → volume on the same grid). */
  labels: readonly { role: string; volume: Volume }[];
  /** Grey window [lo, hi] in image units; default the 1st–99th percentile of the image. */
  window?: readonly [number, number];
}

/** One of the three views, where it sits in the picture and how its pixels map to voxels. */
export interface PreviewPanel {
  view: "axial" | "coronal" | "sagittal";
  /** Top-left pixel and size of the panel in the picture. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** The voxel (i, j, k) of the volume shown at panel pixel (u, v). */
  voxelAt(u: number, v: number): [number, number, number];
}

/** A rendered preview (RGB, row-major, top row first). */
export interface Preview {
  rgb: Uint8Array;
  width: number;
  height: number;
  panels: PreviewPanel[];
  /** The grey window used (null without an image). */
  window: [number, number] | null;
  /** How the window was chosen. */
  windowSource: "percentile" | "recipe" | "none";
  /** Voxel index of the slice of each view along its fixed axis, and why it was chosen. */
  slices: { view: string; voxelAxis: number; index: number }[];
  slicesAt: "label centre of mass" | "middle";
}

/** Outline colours by label value (value 1 first), distinct from grey and from the letters. */
export const LABEL_COLORS: readonly (readonly [number, number, number])[] = [
  [230, 25, 75],
  [60, 180, 75],
  [0, 130, 200],
  [245, 130, 48],
  [145, 30, 180],
  [70, 240, 240],
  [240, 50, 230],
  [210, 245, 60],
];

/** The colour of label value `value` (> 0). */
export function labelColor(value: number): readonly [number, number, number] {
  return LABEL_COLORS[(Math.round(Math.abs(value)) - 1) % LABEL_COLORS.length];
}

const LETTER_COLOR = [255, 200, 0] as const;
const TEXT_COLOR = [235, 235, 235] as const;
/** Pixels of the longest panel side. */
const PANEL_SIZE = 192;
const MARGIN = 12;

/** Views: the world axis kept fixed, the one along the panel's columns and rows, and letters. */
const VIEWS = [
  // axial: columns run L→R (+x), rows run A→P (top = anterior).
  { view: "axial", fixed: 2, h: 0, hDir: 1, v: 1, vDir: -1, letters: ["L", "R", "A", "P"] },
  // coronal: columns L→R, rows S→I.
  { view: "coronal", fixed: 1, h: 0, hDir: 1, v: 2, vDir: -1, letters: ["L", "R", "S", "I"] },
  // sagittal: columns A→P (anterior on the left), rows S→I.
  { view: "sagittal", fixed: 0, h: 1, hDir: -1, v: 2, vDir: -1, letters: ["A", "P", "S", "I"] },
] as const;

function valueAt(volume: Volume, voxel: readonly number[]): number {
  const [nx, ny] = volume.shape;
  const n = voxel[0] + nx * (voxel[1] + ny * voxel[2]);
  return Number(volume.data[n]) * volume.slope + volume.inter;
}

/** Centre of mass (voxel coordinates) of the nonzero voxels of the first frame of the labels. */
function labelCentre(labels: readonly Volume[]): [number, number, number] | null {
  let n = 0, si = 0, sj = 0, sk = 0;
  for (const volume of labels) {
    const [nx, ny] = volume.shape;
    const len = frameLength(volume);
    for (let p = 0; p < len; p++) {
      const v = Number(volume.data[p]) * volume.slope + volume.inter;
      if (v === 0 || v !== v) continue;
      n++;
      si += p % nx;
      sj += Math.floor(p / nx) % ny;
      sk += Math.floor(p / (nx * ny));
    }
  }
  return n === 0 ? null : [si / n, sj / n, sk / n];
}

function sameGrid(a: Volume, b: Volume): boolean {
  return a.shape.every((s, i) => s === b.shape[i]) &&
    a.affine.every((row, r) => row.every((x, c) => Math.abs(x - b.affine[r][c]) <= 1e-3));
}

/** The grey window: the given one, else the 1st–99th percentile (numpy 'linear'). */
function chooseWindow(
  image: Volume | undefined,
  given: readonly [number, number] | undefined,
): { window: [number, number] | null; source: Preview["windowSource"] } {
  if (!image) return { window: null, source: "none" };
  if (given) return { window: [given[0], given[1]], source: "recipe" };
  const [lo, hi] = derivePercentiles(image, 0, [1, 99]);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return { window: [0, 1], source: "percentile" };
  return { window: [lo, hi], source: "percentile" };
}

function formatNumber(x: number): string {
  if (Number.isInteger(x)) return String(x);
  return Math.abs(x) >= 100 ? x.toFixed(1) : Number(x.toPrecision(4)).toString();
}

/** Renders the preview of `input` (see the module comment for the convention). */
export function renderPreview(input: PreviewInput): Preview {
  const base = input.image ?? input.labels[0]?.volume;
  if (!base) throw new Error(`Cannot render a preview of "${input.title}": it has no volume`);
  const labels = input.labels.filter((l) => sameGrid(l.volume, base));
  const world: WorldAxes = closestWorldAxes(base.affine);
  const spacing = deriveSpacing(base);
  // Along world axis w: voxel count and spacing of the voxel axis closest to it.
  const count = world.axis.map((a) => base.shape[a]);
  const step = world.axis.map((a) => spacing[a]);
  const extent = count.map((n, w) => n * step[w]);
  const pixelMm = Math.max(...extent) / PANEL_SIZE;
  const centre = labelCentre(labels.map((l) => l.volume));
  // Canonical index t along world axis w (t grows toward +w) ↔ voxel index along axis[w].
  const toVoxel = (w: number, t: number) => (world.sign[w] > 0 ? t : count[w] - 1 - t);
  const fixedT = [0, 1, 2].map((w) => {
    const a = world.axis[w];
    const i = centre ? Math.round(centre[a]) : Math.floor(base.shape[a] / 2);
    return world.sign[w] > 0 ? i : count[w] - 1 - i;
  });
  const sizes = VIEWS.map((view) => ({
    width: Math.max(1, Math.round(extent[view.h] / pixelMm)),
    height: Math.max(1, Math.round(extent[view.v] / pixelMm)),
  }));
  const { window, source } = chooseWindow(input.image, input.window);
  const captions = [
    input.title,
    `${
      VIEWS.map((v) =>
        `${v.view} ${"ijk"[world.axis[v.fixed]]}=${toVoxel(v.fixed, fixedT[v.fixed])}`
      )
        .join("  ")
    } (${centre ? "label centre of mass" : "middle slices"})`,
    "neurological RAS view: R on right; axial A up; coronal/sagittal S up",
    window
      ? `window ${source === "recipe" ? "recipe" : "p1-p99"} [${formatNumber(window[0])}, ${
        formatNumber(window[1])
      }]${base.frames > 1 ? ` frame 1 of ${base.frames}` : ""}`
      : "no image: labels only",
    labels.length ? `outlines: ${labels.map((l) => l.role).join(", ")}` : "",
  ].filter((line) => line !== "");
  const panelsWidth = sizes.reduce((s, p) => s + p.width + 2 * MARGIN, 0);
  const panelsHeight = Math.max(...sizes.map((s) => s.height)) + 2 * MARGIN;
  const width = Math.max(panelsWidth, ...captions.map((c) => textWidth(c) + 2 * 4));
  const height = panelsHeight + captions.length * GLYPH_CELL.height + 6;
  const rgb = new Uint8Array(width * height * 3);
  const image = { rgb, width, height };
  const panels: PreviewPanel[] = [];
  let x0 = 0;
  VIEWS.forEach((view, index) => {
    const { width: pw, height: ph } = sizes[index];
    const x = x0 + MARGIN, y = MARGIN;
    x0 += pw + 2 * MARGIN;
    const tAt = (w: number, pixel: number, pixels: number, dir: number) => {
      const along = dir > 0 ? pixel : pixels - 1 - pixel;
      return Math.min(count[w] - 1, Math.floor(((along + 0.5) * pixelMm) / step[w]));
    };
    const voxelAt = (u: number, v: number): [number, number, number] => {
      const t = [...fixedT];
      t[view.h] = tAt(view.h, u, pw, view.hDir);
      t[view.v] = tAt(view.v, v, ph, view.vDir);
      const voxel: [number, number, number] = [0, 0, 0];
      for (let w = 0; w < 3; w++) voxel[world.axis[w]] = toVoxel(w, t[w]);
      return voxel;
    };
    panels.push({ view: view.view, x, y, width: pw, height: ph, voxelAt });
    const grey = new Uint8Array(pw * ph);
    if (input.image && window) {
      const span = window[1] - window[0];
      for (let v = 0; v < ph; v++) {
        for (let u = 0; u < pw; u++) {
          const value = valueAt(input.image, voxelAt(u, v));
          const f = span > 0 ? (value - window[0]) / span : value >= window[1] ? 1 : 0;
          grey[v * pw + u] = f !== f ? 0 : Math.round(Math.min(1, Math.max(0, f)) * 255);
        }
      }
    }
    for (let v = 0; v < ph; v++) {
      for (let u = 0; u < pw; u++) {
        const g = grey[v * pw + u];
        rgb.set([g, g, g], ((y + v) * width + x + u) * 3);
      }
    }
    for (const { volume } of labels) {
      const values = new Float64Array(pw * ph);
      for (let v = 0; v < ph; v++) {
        for (let u = 0; u < pw; u++) values[v * pw + u] = valueAt(volume, voxelAt(u, v));
      }
      const at = (u: number, v: number) =>
        u < 0 || v < 0 || u >= pw || v >= ph ? 0 : values[v * pw + u];
      for (let v = 0; v < ph; v++) {
        for (let u = 0; u < pw; u++) {
          const value = values[v * pw + u];
          if (value === 0 || value !== value) continue;
          const edge = at(u - 1, v) !== value || at(u + 1, v) !== value ||
            at(u, v - 1) !== value || at(u, v + 1) !== value;
          if (edge) rgb.set(labelColor(value), ((y + v) * width + x + u) * 3);
        }
      }
    }
    const [left, right, top, bottom] = view.letters;
    const midY = y + Math.floor(ph / 2) - 3, midX = x + Math.floor(pw / 2) - 2;
    drawText(image, left, { x: x - MARGIN + 3, y: midY, color: LETTER_COLOR });
    drawText(image, right, { x: x + pw + 3, y: midY, color: LETTER_COLOR });
    drawText(image, top, { x: midX, y: y - MARGIN + 2, color: LETTER_COLOR });
    drawText(image, bottom, { x: midX, y: y + ph + 3, color: LETTER_COLOR });
  });
  captions.forEach((line, i) => {
    drawText(image, line, { x: 4, y: panelsHeight + 2 + i * GLYPH_CELL.height, color: TEXT_COLOR });
  });
  return {
    rgb,
    width,
    height,
    panels,
    window,
    windowSource: source,
    slices: VIEWS.map((v) => ({
      view: v.view,
      voxelAxis: world.axis[v.fixed],
      index: toVoxel(v.fixed, fixedT[v.fixed]),
    })),
    slicesAt: centre ? "label centre of mass" : "middle",
  };
}
