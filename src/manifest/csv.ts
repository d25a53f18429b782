/** One record of a delimited file and the 1-based line it starts on. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * Parses RFC 4180 text (quoted fields may hold the delimiter, `""` and newlines; CRLF or LF;
 * a leading BOM is ignored). Blank lines are skipped.
 * @throws Error naming the line of an unterminated quote or text after a closing quote.
 */
export function readCsv(text: string, delimiter = ","): CsvRecord[] {
  const records: CsvRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (i < text.length) {
    const start = line;
    const fields: string[] = [];
    let atEnd = false;
    while (!atEnd) {
      let field = "";
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= text.length) throw new Error(`line ${start}: unterminated quoted field`);
          const c = text[i];
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === "\n") line++;
          field += c;
          i++;
        }
        const next = text[i];
        if (next !== undefined && next !== delimiter && next !== "\n" && next !== "\r") {
          throw new Error(`line ${line}: unexpected text after a closing quote`);
        }
      } else {
        while (i < text.length && text[i] !== delimiter && text[i] !== "\n" && text[i] !== "\r") {
          field += text[i++];
        }
      }
      fields.push(field);
      if (text[i] === delimiter) i++;
      else {
        if (text[i] === "\r") i++;
        if (text[i] === "\n") i++;
        line++;
        atEnd = true;
      }
    }
    if (!(fields.length === 1 && fields[0].trim() === "")) records.push({ line: start, fields });
  }
  return records;
}
