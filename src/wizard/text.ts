// Plain-text layout for the wizard's own output (help, summary, command line):
// everything fits the terminal width, so narrow terminals stay readable.

/** Word-wrap to `width` columns; words longer than a line are cut. */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (let word of paragraph.split(/\s+/).filter(Boolean)) {
      while (word.length > width) {
        if (line) {
          lines.push(line);
          line = '';
        }
        lines.push(word.slice(0, width));
        word = word.slice(width);
      }
      if (!word) continue;
      if (!line) line = word;
      else if (line.length + 1 + word.length <= width) line += ` ${word}`;
      else {
        lines.push(line);
        line = word;
      }
    }
    lines.push(line);
  }
  return lines;
}

export interface Row {
  label: string;
  value: string;
  note?: string;
}

/**
 * Two columns (label, value) with an optional dim note; when the terminal is
 * too narrow for both, each value goes under its label.
 */
export function formatTable(rows: Row[], width: number): string[] {
  const labelWidth = Math.max(...rows.map((r) => r.label.length));
  const valueWidth = width - labelWidth - 4;
  const out: string[] = [];
  if (valueWidth >= 28) {
    for (const row of rows) {
      const cell = row.note ? `${row.value}  (${row.note})` : row.value;
      const wrapped = wrapText(cell, valueWidth);
      out.push(`  ${row.label.padEnd(labelWidth)}  ${wrapped[0] ?? ''}`);
      for (const more of wrapped.slice(1)) out.push(`  ${''.padEnd(labelWidth)}  ${more}`);
    }
    return out;
  }
  for (const row of rows) {
    out.push(`  ${row.label}`);
    for (const line of wrapText(row.note ? `${row.value} (${row.note})` : row.value, Math.max(10, width - 6)))
      out.push(`    ${line}`);
  }
  return out;
}
