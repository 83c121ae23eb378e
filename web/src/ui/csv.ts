// CSV exports (issue 12): RFC 4180 text (every cell quoted, quotes doubled,
// CRLF line ends, a UTF-8 byte order mark so spreadsheets read names
// right), safe to open in a spreadsheet: a cell that starts with = + - @ or
// a tab or carriage return is prefixed with ' so it is never run as a
// formula. Only what the screen's views answered is exported: what the
// viewer may see.

/** One cell, quoted and made formula-safe. */
export function cell(value: unknown): string {
  let text = value === undefined || value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

/** The CSV text of a header row and rows. */
export function toCsv(header: string[], rows: unknown[][]): string {
  return `\uFEFF${[header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n')}\r\n`;
}

/** Offers `text` as a download called `name`. */
export function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A file name part from a title: "Lee Carter" -> "lee-carter". */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'export';
}
