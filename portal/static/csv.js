// A table as CSV (RFC 4180): a header line, one line a row, CRLF line ends;
// a field with a comma, a quote or a line break is quoted, its quotes
// doubled. Text that a spreadsheet would read as a formula (=, +, -, @ at
// the start) gets a leading apostrophe; numbers are written as they are.

const FORMULA = /^[=+\-@\t\r]/;

function field(value, kind) {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (kind === "text" && FORMULA.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csv(columns, rows) {
  const lines = [columns.map((c) => field(c.label, "text")), ...rows.map((row) => row.map((v, i) => field(v, columns[i].kind)))];
  return lines.map((cells) => cells.join(",")).join("\r\n") + "\r\n";
}

// Offers `text` as a file download named `name`.
export function download(name, text) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
