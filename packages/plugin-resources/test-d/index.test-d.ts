import { expectAssignable, expectError, expectNotAssignable, expectType } from 'tsd';
import type { FleetPlugin, MachineFacts, PluginEntry, ResolvedUnit, UnitDropIn, UnitOptionSpec } from '@fleetd/core';
import resources, {
  CPU_OPTION,
  MEMORY_OPTION,
  RESOURCE_OPTION,
  machineCapacity,
  resourceDropIn,
  resourceFacts,
  resourceSettings,
  resourcesOptions,
  resourcesRequirement,
  resourceTable,
} from '@fleetd/plugin-resources';
import type {
  MachineCapacity,
  RequestSource,
  ResourceKind,
  ResourceRequest,
  ResourcesOptions,
  ResourcesOptionsInput,
  ResourcesRequirement,
  ResourceTable,
  Strategy,
} from '@fleetd/plugin-resources';

// The options apply receives: every field filled in.
expectType<FleetPlugin<ResourcesOptions>>(resources);
declare const options: ResourcesOptions;
expectType<Strategy>(options.strategy);
expectType<'spread' | 'binpack'>(options.strategy);
expectType<Record<string, ResourceKind>>(options.resources);
expectType<Record<string, number | string>>(options.capacity);
expectType<Record<string, number | string>>(options.reserved);
expectType<boolean>(options.requestsFromSystemd);
expectType<boolean>(options.enforce);
expectType<ResourcesOptions>(resourcesOptions.parse({}));

// What a configuration gives: every field optional, amounts as numbers or sizes.
expectAssignable<ResourcesOptionsInput>({});
expectAssignable<ResourcesOptionsInput>({ strategy: 'binpack', resources: { gpu: 'count', 'disk.ssd': 'bytes' }, capacity: { memory: '8G', cpu: 4, gpu: 2 } });
expectAssignable<ResourcesOptionsInput>({ reserved: { memory: '1G' }, requestsFromSystemd: false, enforce: true });
expectNotAssignable<ResourcesOptionsInput>({ strategy: 'random' });
expectNotAssignable<ResourcesOptionsInput>({ resources: { gpu: 'cards' } });
expectNotAssignable<ResourcesOptionsInput>({ capacity: { memory: true } });
expectNotAssignable<ResourcesOptionsInput>({ enforce: 'yes' });

// A config entry: the plugin with its options, and a score weight.
expectAssignable<PluginEntry>([resources, { strategy: 'binpack' }]);
expectAssignable<PluginEntry>({ plugin: resources, options: { strategy: 'spread' }, weight: 2 });

// The requirement is typed on ResolvedUnit.requirements by declaration merging.
declare const unit: ResolvedUnit;
expectType<ResourcesRequirement | undefined>(unit.requirements.resources);
const requirement = unit.requirements.resources;
if (requirement !== undefined) {
  expectType<readonly ResourceRequest[]>(requirement.requests);
  expectType<string | undefined>(requirement.problem);
  expectType<ArrayLike<number>>(requirement.amounts);
  const [first] = requirement.requests;
  if (first !== undefined) {
    expectType<string>(first.resource);
    expectType<number>(first.amount);
    expectType<RequestSource>(first.source);
    expectType<'cores' | 'bytes' | 'count'>(first.measure);
  }
  expectError(requirement.requests.push(requirement.requests[0]!));
}

// Parsing is a pure function of the unit and the table.
const table = resourceTable({ gpu: 'count' });
expectType<ResourceTable>(table);
expectError(resourceTable({ gpu: 'cards' }));
expectType<ResourcesRequirement | undefined>(resourcesRequirement(unit, { table, requestsFromSystemd: true }));
expectType<ReturnType<typeof resourceSettings>['capacity']>(resourceSettings(options).capacity);

// Machines and agents.
declare const facts: MachineFacts;
expectType<MachineCapacity>(machineCapacity(facts, table));
expectType<MachineFacts>(resourceFacts(resourceSettings(options), { cpu: 4, memory: 8 * 2 ** 30 }));
expectType<UnitDropIn | undefined>(resourceDropIn(unit, requirement));

// The declared options: literal names.
expectAssignable<UnitOptionSpec>(MEMORY_OPTION);
expectType<'Memory'>(MEMORY_OPTION.name);
expectType<'CPU'>(CPU_OPTION.name);
expectType<'Resource'>(RESOURCE_OPTION.name);
