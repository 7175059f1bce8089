/** FLEETD_* environment variables, read through the option table. */
import { layerInvalid } from './issues.js';
import { closest } from './suggest.js';
import { CONFIG_PATH_ENV, OPTION_TABLE } from './options-table.js';
import type { ConfigOverride } from './options-table.js';

export interface EnvironmentLayer {
  /** FLEETD_CONFIG. */
  readonly configPath: string | undefined;
  readonly overrides: readonly ConfigOverride[];
  /** Unknown FLEETD_* variables (likely typos); not an error. */
  readonly warnings: readonly string[];
}

const KNOWN = new Set([CONFIG_PATH_ENV, ...OPTION_TABLE.map((row) => row.env)]);

/**
 * Reads every FLEETD_* variable; an empty value counts as unset. Bad values are
 * reported together as CONFIG_INVALID (`FLEETD_AGENT_TTL: must be a positive integer`).
 */
export function readEnvironment(env: Readonly<Record<string, string | undefined>>): EnvironmentLayer {
  const overrides: ConfigOverride[] = [];
  const problems: string[] = [];
  for (const row of OPTION_TABLE) {
    const text = env[row.env];
    if (text === undefined || text === '') continue;
    const parsed = row.parse(text);
    if (parsed.ok) overrides.push({ path: row.path, value: parsed.value, origin: { kind: 'env', name: row.env } });
    else problems.push(`${row.env}: ${parsed.message}`);
  }
  if (problems.length > 0) throw layerInvalid('environment', problems);
  const warnings = Object.keys(env)
    .filter((name) => name.startsWith('FLEETD_') && !KNOWN.has(name))
    .sort()
    .map((name) => {
      const suggestion = closest(name, [...KNOWN]);
      return `unknown environment variable ${name} ignored${suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`}`;
    });
  const configPath = env[CONFIG_PATH_ENV];
  return { configPath: configPath === '' ? undefined : configPath, overrides, warnings };
}
