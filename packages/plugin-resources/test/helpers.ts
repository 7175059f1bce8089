import { fact } from '@fleetd/core';
import type { MachineFact, PluginEntry } from '@fleetd/core';
import type { TestMachine } from '@fleetd/core/testing';
import { fleetPreset } from '@fleetd/preset-fleet';
import resources from '../src/index.js';
import type { ResourcesOptionsInput } from '../src/index.js';

export const MiB = 2 ** 20;
export const GiB = 2 ** 30;

/** The resources the tests declare besides cpu and memory. */
export const DECLARED = { gpu: 'count', 'disk.ssd': 'bytes' } as const;

/** Plugin options with the tests' declared resources. */
export const withDeclared = (options: ResourcesOptionsInput = {}): ResourcesOptionsInput => ({ resources: DECLARED, ...options });

/** fleet's plugins plus the resources plugin, as `extraPlugins: ['@fleetd/plugin-resources']` assembles them. */
export function plugins(options: ResourcesOptionsInput = withDeclared(), weight?: number, preset: Parameters<typeof fleetPreset>[0] = {}): PluginEntry[] {
  return fleetPreset({ ...preset, add: [{ plugin: resources, options, ...(weight === undefined ? {} : { weight }) }] });
}

/** Facts as the plugin announces them: `cpu` cores, `memory` bytes, and any other fact. */
export function facts(cpu: number | undefined, memory: number | undefined, more: Record<string, MachineFact> = {}): Record<string, MachineFact> {
  return {
    ...(cpu === undefined ? {} : { cpu: fact.number(cpu) }),
    ...(memory === undefined ? {} : { memory: fact.bytes(memory) }),
    ...more,
  };
}

/** A test machine with facts. */
export function machine(id: string, machineFacts: Record<string, MachineFact>, metadata: Record<string, string> = {}): TestMachine {
  return { id, metadata, facts: machineFacts };
}

/** A service with these `[X-Fleet]` lines, and these `[Service]` lines besides ExecStart. */
export function service(xFleet: readonly string[], serviceLines: readonly string[] = []): string {
  const head = `[Service]\nExecStart=/bin/sleep infinity\n${serviceLines.map((line) => `${line}\n`).join('')}`;
  return xFleet.length === 0 ? head : `${head}\n[X-Fleet]\n${xFleet.join('\n')}\n`;
}
