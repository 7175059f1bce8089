/**
 * Layering: the file's raw config, then environment overrides, then flags.
 * Each problem is blamed on the layer its value came from.
 */
import type { ConfigOverride } from './options-table.js';
import type { ConfigPath, ValueOrigin } from './issues.js';
import type { LineLocator } from './lines.js';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/** Sets `value` at `path` in a copy of `target`; objects merge, everything else replaces. */
export function setAt(target: unknown, path: ConfigPath, value: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return isPlainObject(target) && isPlainObject(value) ? { ...target, ...value } : value;
  const base = isPlainObject(target) ? target : {};
  return { ...base, [head]: setAt(base[head], rest, value) };
}

export function getAt(target: unknown, path: ConfigPath): unknown {
  let node = target;
  for (const segment of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

/** The file layer (or `{}` without a file) with every override applied in order. */
export function applyOverrides(raw: unknown, overrides: readonly ConfigOverride[]): unknown {
  return overrides.reduce((config, override) => setAt(config, override.path, override.value), raw);
}

function startsWith(path: ConfigPath, prefix: ConfigPath): boolean {
  return prefix.length <= path.length && prefix.every((segment, index) => String(path[index]) === String(segment));
}

/** Whether the override's value reaches `path` (it covers it): a leaf replaces, an object only where it has keys. */
function holds(override: ConfigOverride, path: ConfigPath): boolean {
  return !isPlainObject(override.value) || getAt(override.value, path.slice(override.path.length)) !== undefined;
}

export interface OriginContext {
  readonly raw: unknown;
  readonly file: string | undefined;
  readonly overrides: readonly ConfigOverride[];
  readonly locate?: LineLocator | undefined;
}

/**
 * Who set the value at `path`: the last override covering it (an object
 * override only if it holds the value: objects merge, so `--api-tcp` leaves
 * the file's `api.tcp.tls` the file's); else, from the path up, the nearest
 * level where an override sits below (FLEETD_API_TOKEN alone creates
 * `api.tcp`) or the file holds a value; else the file.
 */
export function createOriginLookup(context: OriginContext): (path: ConfigPath) => ValueOrigin {
  const { raw, file, overrides, locate } = context;
  const fileOrigin = (path: ConfigPath): ValueOrigin => ({ kind: 'file', file, line: locate?.(path) });
  return (path) => {
    const covering = overrides.findLast((override) => startsWith(path, override.path) && holds(override, path));
    if (covering !== undefined) return covering.origin;
    for (let depth = path.length; depth > 0; depth--) {
      const prefix = path.slice(0, depth);
      if (getAt(raw, prefix) !== undefined) return fileOrigin(path);
      const below = overrides.findLast((override) => startsWith(override.path, prefix));
      if (below !== undefined) return below.origin;
    }
    return fileOrigin(path);
  };
}
