/**
 * Tables as fleet printed them through Go's tabwriter (minwidth 0, tabwidth 8,
 * padding 1, tab padding): every column but a row's last starts on a tab stop,
 * at least one cell wider than its longest text. fleetd pads with spaces
 * instead of tabs, so columns line up the same way whatever the terminal's tab
 * setting and in pipes, and `awk '{print $1}'` keeps working.
 */
const TAB_WIDTH = 8;
const PADDING = 1;

export type Row = readonly string[];

/** The rows as lines (each ending in `\n`); a row's last cell is never padded. */
export function formatTable(rows: readonly Row[]): string {
  const widths = columnWidths(rows);
  let text = '';
  for (const row of rows) {
    let line = '';
    row.forEach((cell, column) => {
      line += column === row.length - 1 ? cell : cell + ' '.repeat((widths[column] ?? 0) - textWidth(cell));
    });
    text += `${line.trimEnd()}\n`;
  }
  return text;
}

/** Width of each column, over the rows where that column is not the last cell. */
function columnWidths(rows: readonly Row[]): number[] {
  const widths: number[] = [];
  for (const row of rows) {
    for (let column = 0; column < row.length - 1; column++) {
      const needed = roundUp(textWidth(row[column] ?? '') + PADDING, TAB_WIDTH);
      widths[column] = Math.max(widths[column] ?? 0, needed);
    }
  }
  return widths;
}

function roundUp(width: number, step: number): number {
  return Math.ceil(width / step) * step;
}

/** Code points, so a multi-byte metadata value does not shift the columns after it. */
export function textWidth(text: string): number {
  let width = 0;
  for (const _ of text) width++;
  return width;
}

/** A header row: field names upper-cased, as fleet printed its legends. */
export function legend(fields: readonly string[]): Row {
  return fields.map((field) => field.toUpperCase());
}
