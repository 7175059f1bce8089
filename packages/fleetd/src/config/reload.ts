/**
 * SIGHUP: what changed between two resolved configs, split into what applies
 * at run time (metadata, log level) and what only applies at start.
 */
import type { LogLevel, ResolvedConfig, ResolvedPlugin } from './types.js';

export interface ConfigDiff {
  /** The new metadata, when it changed. */
  readonly metadata?: Record<string, string>;
  /** The new log level, when it changed. */
  readonly logLevel?: LogLevel;
  /** Option paths that changed but only apply at start (`etcd.endpoints`, `plugins`...). */
  readonly needsRestart: string[];
}

/** Settings applied at run time, left out of the restart comparison. */
const RUNTIME_PATHS = new Set(['machine.metadata', 'log.level']);
/** Derived or bookkeeping fields, not options. */
const IGNORED_PATHS = new Set(['mode', 'source', 'plugins']);

function leaves(value: unknown, prefix: string, into: Map<string, string>): Map<string, string> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      if (!IGNORED_PATHS.has(path) && !RUNTIME_PATHS.has(path)) leaves(child, path, into);
    }
    return into;
  }
  if (value !== undefined) into.set(prefix, JSON.stringify(value));
  return into;
}

function describePlugin(plugin: ResolvedPlugin): string {
  const entry = plugin.entry as { options?: unknown; weight?: unknown };
  return JSON.stringify([plugin.specifier, plugin.from, entry.options ?? null, entry.weight ?? null]);
}

function sameMetadata(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key]);
}

export function diffConfig(previous: ResolvedConfig, next: ResolvedConfig): ConfigDiff {
  const before = leaves(previous, '', new Map());
  const after = leaves(next, '', new Map());
  const changed = [...new Set([...before.keys(), ...after.keys()])].filter((path) => before.get(path) !== after.get(path)).sort();
  if (previous.plugins.map(describePlugin).join('\n') !== next.plugins.map(describePlugin).join('\n')) changed.push('plugins');
  return {
    ...(sameMetadata(previous.machine.metadata, next.machine.metadata) ? {} : { metadata: { ...next.machine.metadata } }),
    ...(previous.log.level === next.log.level ? {} : { logLevel: next.log.level }),
    needsRestart: changed,
  };
}
