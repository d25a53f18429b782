/**
 * A tiny terminal for progress tests: `width` columns, handles text, `\r`, `\n` and the erase
 * line sequence `ESC[2K` (any other escape sequence is dropped); a line longer than the width
 * wraps, as a real terminal does. `screen()` is what a person sees afterwards.
 */
export function createTerminal(width: number) {
  const lines: string[] = [""];
  let row = 0, col = 0;
  const put = (ch: string) => {
    if (col >= width) {
      row++;
      col = 0;
      lines[row] ??= "";
    }
    const line = lines[row].padEnd(col);
    lines[row] = line.slice(0, col) + ch + line.slice(col + 1);
    col++;
  };
  return {
    write(text: string) {
      // deno-lint-ignore no-control-regex
      const parts = text.split(/(\x1b\[[0-9;?]*[A-Za-z])/);
      for (const part of parts) {
        if (part.startsWith("\x1b[")) {
          if (part === "\x1b[2K") lines[row] = "";
          continue;
        }
        for (const ch of part) {
          if (ch === "\r") col = 0;
          else if (ch === "\n") {
            row++;
            col = 0;
            lines[row] ??= "";
          } else put(ch);
        }
      }
    },
    /** The lines on screen, trailing spaces and the empty last line removed. */
    screen(): string[] {
      const out = lines.map((l) => l.trimEnd());
      while (out.length && out[out.length - 1] === "") out.pop();
      return out;
    },
  };
}
