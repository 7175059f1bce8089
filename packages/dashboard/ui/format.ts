/** How values read on screen. */
import type { DashMachine } from '../src/feed.js';

type Fact = DashMachine['facts'][string];

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 1024-based, one decimal when needed: "512 MiB", "1.5 GiB" (as fleetd's formatBytes). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const text = Number.isInteger(value) ? String(value) : value.toFixed(1).replace(/\.0$/, '');
  return `${text} ${BYTE_UNITS[unit]!}`;
}

export function formatFact(fact: Fact): string {
  if (fact.type === 'bytes' && typeof fact.value === 'number') return formatBytes(fact.value);
  return String(fact.value);
}

/** "cpu 4, memory 8 GiB", by name. */
export function formatFacts(facts: DashMachine['facts']): string {
  return Object.keys(facts)
    .sort()
    .map((name) => `${name} ${formatFact(facts[name]!)}`)
    .join(', ');
}

/** "region=us-east, disk=ssd", by key. */
export function formatMetadata(metadata: Record<string, string>): string {
  return Object.keys(metadata)
    .sort()
    .map((key) => `${key}=${metadata[key]!}`)
    .join(', ');
}

/** fleetctl's short hash: the first 7 characters. */
export function shortHash(hash: string): string {
  return hash.slice(0, 7);
}

/** Local wall-clock time, "14:03:07"; the ISO text when it is not a date. */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** A unit file from fleet's options, when the file was not submitted as text. */
export function optionsToUnitFile(options: readonly { section: string; name: string; value: string }[]): string {
  const sections = new Map<string, string[]>();
  for (const option of options) {
    const lines = sections.get(option.section) ?? [];
    lines.push(`${option.name}=${option.value}`);
    sections.set(option.section, lines);
  }
  return [...sections].map(([section, lines]) => `[${section}]\n${lines.join('\n')}\n`).join('\n');
}
