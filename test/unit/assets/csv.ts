/**
 * A strict RFC 4180 reader for metadata.csv (comma separated, fields optionally in double
 * quotes, `""` for a quote inside one), as Python's csv module reads it for ddev.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endField = () => {
    row.push(field);
    field = '';
  };
  const endRow = () => {
    endField();
    rows.push(row);
    row = [];
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"') {
      if (field.length > 0) throw new Error(`CSV: quote inside an unquoted field at offset ${i}`);
      quoted = true;
      i++;
    } else if (c === ',') {
      endField();
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      endRow();
      i += 2;
    } else if (c === '\n') {
      endRow();
      i++;
    } else {
      field += c;
      i++;
    }
  }
  if (quoted) throw new Error('CSV: unterminated quoted field');
  if (field.length > 0 || row.length > 0) endRow();
  return rows;
}

/** Rows as objects keyed by the header; rows of the wrong width are reported, not guessed at. */
export function csvRecords(text: string): { header: string[]; records: Array<Record<string, string>>; widthErrors: string[] } {
  const [header = [], ...rows] = parseCsv(text);
  const widthErrors: string[] = [];
  const records: Array<Record<string, string>> = [];
  rows.forEach((r, idx) => {
    if (r.length !== header.length) {
      widthErrors.push(`line ${idx + 2}: ${r.length} fields, the header has ${header.length}`);
      return;
    }
    records.push(Object.fromEntries(header.map((h, j) => [h, r[j]])));
  });
  return { header, records, widthErrors };
}
