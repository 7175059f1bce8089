/**
 * The snapshot: the whole persisted key space, as JSON laid out one entry per
 * line so a damaged file can be reported by line:
 *
 *     {"format":"fleetd-store","version":1,"seq":12,"count":2,"items":[
 *     ["/fleetd/job/a.service/object","{...}"],
 *     ["/fleetd/job/b.service/object","{...}"]
 *     ]}
 *
 * `seq` is the last WAL record the snapshot includes; `count` catches a file
 * cut short. Keys are in UTF-8 byte order. The file is only ever replaced
 * atomically (`writeFileAtomic`), never edited in place.
 */
import { compareUtf8 } from '@fleetd/core/unstable';
import { dataDirError } from './files.js';
import { isCount } from './wal-format.js';
import type { KeySpace } from './keyspace.js';

export interface StoreState {
  /** The last WAL record applied to `keys` (0: none ever). */
  seq: number;
  readonly keys: KeySpace;
}

const FORMAT = 'fleetd-store';
const VERSION = 1;

export function encodeSnapshot(seq: number, keys: KeySpace): string {
  const header = JSON.stringify({ format: FORMAT, version: VERSION, seq, count: keys.size, items: [] });
  const lines = [header.slice(0, -2)];
  const sorted = [...keys.keys()].sort(compareUtf8);
  sorted.forEach((key, i) => {
    lines.push(JSON.stringify([key, keys.get(key)]) + (i < sorted.length - 1 ? ',' : ''));
  });
  lines.push(']}');
  return lines.join('\n') + '\n';
}

export function decodeSnapshot(file: string, text: string): StoreState {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const header = parseHeader(lines[0] ?? '');
  if (header === undefined) throw dataDirError(`${file}:1: not a fleetd store snapshot header`);
  const last = lines.length;
  if (last < 2 || lines[last - 1] !== ']}') {
    throw dataDirError(`${file}:${Math.max(last, 1)}: the snapshot ends early (no closing "]}")`);
  }
  const keys: KeySpace = new Map();
  for (let i = 1; i < last - 1; i++) {
    const entry = parseEntry(lines[i]!, i < last - 2);
    if (entry === undefined) throw dataDirError(`${file}:${i + 1}: not a snapshot entry`);
    keys.set(entry[0], entry[1]);
  }
  if (keys.size !== header.count) {
    throw dataDirError(`${file}: holds ${keys.size} keys but its header says ${header.count}`);
  }
  return { seq: header.seq, keys };
}

function parseHeader(line: string): { seq: number; count: number } | undefined {
  const parsed = parseJson(`${line}]}`);
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { format, version, seq, count, items } = parsed as Record<string, unknown>;
  if (format !== FORMAT || version !== VERSION || !isCount(seq) || !isCount(count)) return undefined;
  if (!Array.isArray(items) || items.length !== 0) return undefined;
  return { seq, count };
}

function parseEntry(line: string, needsComma: boolean): readonly [string, string] | undefined {
  if (line.endsWith(',') !== needsComma) return undefined;
  const parsed = parseJson(needsComma ? line.slice(0, -1) : line);
  if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
  const [key, value] = parsed as unknown[];
  return typeof key === 'string' && typeof value === 'string' ? [key, value] : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
