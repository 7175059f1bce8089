/**
 * The configuration reference's option table, read back: one row per option,
 * with its config path, FLEETD_* variable and flag, to compare with OPTION_TABLE
 * and the config schema.
 */
import type { z } from 'zod';

export interface OptionTableRow {
  readonly line: number;
  readonly path: string;
  readonly env: string | undefined;
  readonly flag: string | undefined;
}

const CODE = /`([^`]+)`/;

function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((cell) => cell.trim());
}

/**
 * The rows of the Markdown table whose header has the columns `option`,
 * `variable` and `flag`. Cells hold one `code` span each, or `-` for none.
 */
export function readOptionTable(markdown: string): OptionTableRow[] {
  const lines = markdown.split('\n');
  const header = lines.findIndex((line) => {
    const names = cells(line).map((cell) => cell.toLowerCase());
    return line.trim().startsWith('|') && names.includes('option') && names.includes('variable') && names.includes('flag');
  });
  if (header === -1) return [];
  const columns = cells(lines[header] ?? '').map((cell) => cell.toLowerCase());
  const at = (row: string[], name: string) => CODE.exec(row[columns.indexOf(name)] ?? '')?.[1];
  const rows: OptionTableRow[] = [];
  for (let index = header + 2; index < lines.length && (lines[index] ?? '').trim().startsWith('|'); index++) {
    const row = cells(lines[index] ?? '');
    const path = at(row, 'option');
    if (path !== undefined) rows.push({ line: index + 1, path, env: at(row, 'variable'), flag: at(row, 'flag') });
  }
  return rows;
}

/** Every path of the config schema (`etcd`, `etcd.endpoints`, `api.tcp.tls.cert`...), leaves marked. */
export function schemaPaths(schema: z.ZodType, prefix = ''): { path: string; leaf: boolean }[] {
  const inner = unwrap(schema);
  const shape = (inner as unknown as { shape?: Record<string, z.ZodType> }).shape;
  if (shape === undefined || typeof shape !== 'object') return prefix === '' ? [] : [{ path: prefix, leaf: true }];
  const here = prefix === '' ? [] : [{ path: prefix, leaf: false }];
  return [...here, ...Object.entries(shape).flatMap(([key, child]) => schemaPaths(child, prefix === '' ? key : `${prefix}.${key}`))];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while ((current as unknown as { def: { type: string } }).def.type === 'optional') {
    current = (current as unknown as z.ZodOptional<z.ZodType>).unwrap();
  }
  return current;
}
