/**
 * `save: { preview: true }`: one PNG beside each output (same name, `.png`), written through
 * the sink's file access, so it is staged, published, hashed and recorded like any output
 * (provenance marks it `previewOf` the output it shows). What it shows: an image output in grey
 * with every label role of the subject outlined; a label output outlined over the subject's
 * first image role (black when there is none). See src/preview/render.ts for the views.
 */
import { encodePng } from "../../preview/png.ts";
import { renderPreview } from "../../preview/render.ts";
import type { Volume } from "../../volume/volume.ts";
import type { Item, SinkIo, SinkOutput, Subject } from "../step.ts";

/** The preview file of output `path`: its NIfTI (or other) extension replaced by `.png`. */
export function previewPathOf(path: string): string {
  const base = /\.nii\.gz$/i.test(path) ? path.slice(0, -7) : path.replace(/\.[A-Za-z0-9]+$/, "");
  return `${base}.png`;
}

/** The PNG bytes of the preview of one written item (`saved` = the values as stored). */
export function previewPngOf(
  subject: Subject,
  item: Item,
  options: { title: string; saved: Volume; window?: readonly [number, number] },
): Uint8Array {
  const labels = subject.items.filter((it) => it.label);
  const image = item.label ? subject.items.find((it) => !it.label)?.volume : options.saved;
  const outlined = item.label ? [{ role: item.role, volume: options.saved }] : labels.map((l) => ({
    role: l.role,
    volume: l.volume,
  }));
  const preview = renderPreview({
    title: options.title,
    image,
    labels: outlined,
    window: item.label ? undefined : options.window,
  });
  return encodePng(preview.rgb, preview.width, preview.height);
}

/** Writes the preview of one output the sink just wrote and returns its output entry. */
export function writePreview(
  subject: Subject,
  item: Item,
  options: {
    output: SinkOutput;
    saved: Volume;
    window?: readonly [number, number];
    io: SinkIo;
  },
): SinkOutput {
  const { output, io } = options;
  const path = previewPathOf(output.path);
  const title = `${output.path}${subject.copy ? ` (copy ${subject.copy})` : ""}`;
  io.writeBytes(path, previewPngOf(subject, item, { ...options, title }));
  return {
    role: output.role,
    copy: output.copy,
    path,
    dtype: "png",
    dtypeReason: `preview of ${output.path} (8-bit RGB PNG)`,
    clamped: 0,
    previewOf: output.path,
  };
}
