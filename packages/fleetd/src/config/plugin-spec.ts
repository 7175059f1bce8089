/** Shape checks of `plugins[i]` entries; whether the plugin exists is checked at resolution. */
import type { ConfigPath } from './issues.js';
import { show } from './issues.js';

const SPEC_SHAPES = 'must be a package name, a path, a plugin object, [plugin, options] or { plugin, options, weight }';
const WRAPPED_KEYS = new Set(['plugin', 'options', 'weight']);

export interface SpecProblem {
  readonly path: ConfigPath;
  readonly message: string;
}

/** A definePlugin result (or something that claims to be one; the core checks the rest). */
export function looksLikePlugin(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'meta' in value && 'apply' in value;
}

function checkTarget(value: unknown, path: ConfigPath): SpecProblem[] {
  if (typeof value === 'string') return value.trim() === '' ? [{ path, message: 'must be a non-empty package name or path' }] : [];
  if (looksLikePlugin(value)) return [];
  return [{ path, message: `must be a package name, a path or a plugin object, got ${show(value)}` }];
}

function checkWeight(weight: unknown): SpecProblem[] {
  if (weight === undefined || (typeof weight === 'number' && Number.isFinite(weight) && weight >= 0)) return [];
  return [{ path: ['weight'], message: `must be a finite number >= 0, got ${show(weight)}` }];
}

export function checkPluginSpec(value: unknown): SpecProblem[] {
  if (typeof value === 'string' || looksLikePlugin(value)) return checkTarget(value, []);
  if (Array.isArray(value)) {
    if (value.length < 1 || value.length > 2) return [{ path: [], message: `[plugin, options] takes 1 or 2 items, got ${value.length}` }];
    return checkTarget(value[0], [0]);
  }
  if (typeof value === 'object' && value !== null && 'plugin' in value) {
    const record = value as Record<string, unknown>;
    const unknown = Object.keys(record)
      .filter((key) => !WRAPPED_KEYS.has(key))
      .map((key) => ({ path: [key], message: 'unknown option' }));
    return [...checkTarget(record['plugin'], ['plugin']), ...checkWeight(record['weight']), ...unknown];
  }
  return [{ path: [], message: `${SPEC_SHAPES}, got ${show(value)}` }];
}
