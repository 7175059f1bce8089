import { ErrorCodes, FleetError } from '@fleetd/core';
import type { AnyFleetPlugin, PluginEntry } from '@fleetd/core';
import conflicts from '@fleetd/plugin-conflicts';
import disconnect from '@fleetd/plugin-disconnect';
import global from '@fleetd/plugin-global';
import leastLoaded from '@fleetd/plugin-least-loaded';
import machineId from '@fleetd/plugin-machine-id';
import machineOf from '@fleetd/plugin-machine-of';
import metadata from '@fleetd/plugin-metadata';
import replaces from '@fleetd/plugin-replaces';
import specifiers from '@fleetd/plugin-specifiers';
import validation from '@fleetd/plugin-validation';

/**
 * fleet's behaviour, one plugin per rule, in the order their taps should run
 * within a stage: cheap exact checks before globs, scoring last; then the
 * agent's (`disconnect`: off unless a unit or the machine sets a grace).
 */
export const fleetPlugins: readonly AnyFleetPlugin[] = Object.freeze([
  specifiers,
  validation,
  global,
  machineId,
  metadata,
  machineOf,
  conflicts,
  replaces,
  leastLoaded,
  disconnect,
] as AnyFleetPlugin[]);

export const fleetPluginNames: readonly string[] = fleetPlugins.map((plugin) => plugin.meta.name);

export interface FleetPresetOptions {
  /** First-party plugins to leave out, by name (`conflicts`, `least-loaded`...). */
  readonly disable?: readonly string[];
  /** First-party plugins to swap for another plugin, by name; the replacement takes the same position. */
  readonly replace?: Readonly<Record<string, PluginEntry>>;
  /** Options for first-party plugins, by name. */
  readonly options?: Readonly<Record<string, unknown>>;
  /** Score weights for first-party plugins, by name. */
  readonly weights?: Readonly<Record<string, number>>;
  /** More plugins, after the first-party ones. */
  readonly add?: readonly PluginEntry[];
}

/** The plugin list `assemblePlugins` takes: fleet's plugins with some disabled, replaced or configured. */
export function fleetPreset(preset: FleetPresetOptions = {}): PluginEntry[] {
  for (const [field, names] of Object.entries({
    disable: preset.disable ?? [],
    replace: Object.keys(preset.replace ?? {}),
    options: Object.keys(preset.options ?? {}),
    weights: Object.keys(preset.weights ?? {}),
  })) {
    checkNames(field, names);
  }
  const disabled = new Set(preset.disable ?? []);
  const entries: PluginEntry[] = [];
  for (const plugin of fleetPlugins) {
    const name = plugin.meta.name;
    if (disabled.has(name)) continue;
    const replacement = preset.replace?.[name];
    if (replacement !== undefined) {
      entries.push(replacement);
      continue;
    }
    const weight = preset.weights?.[name];
    entries.push({ plugin, options: preset.options?.[name], ...(weight === undefined ? {} : { weight }) });
  }
  return [...entries, ...(preset.add ?? [])];
}

function checkNames(field: string, names: readonly string[]): void {
  const unknown = names.filter((name) => !fleetPluginNames.includes(name));
  if (unknown.length === 0) return;
  throw new FleetError(
    ErrorCodes.PLUGIN_INVALID,
    `preset-fleet: ${field}: unknown first-party plugin ${unknown.map((name) => `"${name}"`).join(', ')}; known: ${fleetPluginNames.join(', ')}`,
    { plugin: 'preset-fleet' },
  );
}
