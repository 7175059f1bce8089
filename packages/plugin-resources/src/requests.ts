import { parseByteSize, unitOptionValues } from '@fleetd/core';
import type { ResolvedUnit, UnitOptionSpec } from '@fleetd/core';
import { formatAmount, parseDecimal } from './table.js';
import type { ResourceMeasure, ResourceSpec, ResourceTable } from './table.js';

/** `Memory=512M`: the bytes of memory the unit needs. */
export const MEMORY_OPTION = Object.freeze({
  name: 'Memory',
  description: 'memory the unit needs (512M, 2G, bytes): placed only where that much is free, and its MemoryMax= when the plugin enforces requests',
}) satisfies UnitOptionSpec;

/** `CPU=0.5`: the cores the unit needs. */
export const CPU_OPTION = Object.freeze({
  name: 'CPU',
  description: 'CPU cores the unit needs (fractions allowed: 0.5): placed only where that much is free, and its CPUQuota= when the plugin enforces requests',
}) satisfies UnitOptionSpec;

/** `Resource=gpu:1`: a declared resource the unit needs (repeatable; several per value). */
export const RESOURCE_OPTION = Object.freeze({
  name: 'Resource',
  description: 'a resource declared in the resources plugin options and the amount the unit needs (gpu:1, disk.ssd:10G); several per line or repeated',
}) satisfies UnitOptionSpec;

/** Where a request came from: the unit's `[X-Fleet]` options, or its own systemd resource directives. */
export type RequestSource = 'x-fleet' | 'systemd';

/** One resource a unit needs. */
export interface ResourceRequest {
  /** `cpu`, `memory` or a declared resource's name. */
  readonly resource: string;
  /** How the amount is counted: cores, bytes or whole things. */
  readonly measure: ResourceMeasure;
  /** How much the unit needs, more than 0. */
  readonly amount: number;
  /** Whether it came from `[X-Fleet]` or from the unit's own systemd directives. */
  readonly source: RequestSource;
  /** Position in the plugin's resource table (checking order). */
  readonly slot: number;
}

/**
 * `unit.requirements.resources`: what a unit requests, parsed once per unit
 * version. `requests` are in checking order (cpu, memory, then declared
 * resources by name); `slots` and `amounts` repeat them as typed arrays for
 * the filter's loop (a frozen array's elements cost several times more to
 * read there). Treat them as read-only.
 */
export interface ResourcesRequirement {
  /** What the unit requests, in checking order. */
  readonly requests: readonly ResourceRequest[];
  /** Each request's slot, as in `requests`. */
  readonly slots: ArrayLike<number>;
  /** Each request's amount, as in `requests`. */
  readonly amounts: ArrayLike<number>;
  /** The same for units that request the same (`0:0.5 1:536870912`, slot:amount): units of one template share what is derived from it. */
  readonly key: string;
  /** Every value the plugin cannot read, joined with `; `: the unit is refused at submit, and fits no machine. */
  readonly problem?: string;
}

/** How requests are read (the plugin's options). */
export interface RequestSettings {
  /** The resources units may request. */
  readonly table: ResourceTable;
  /** Read `MemoryMax=`/`MemoryHigh=`/`MemoryLimit=` and `CPUQuota=` when `[X-Fleet]` requests nothing of that resource. */
  readonly requestsFromSystemd: boolean;
}

/** The unit types whose section carries systemd's resource-control directives, by type. */
export const CGROUP_SECTIONS: Readonly<Record<string, string>> = Object.freeze({
  service: 'Service',
  socket: 'Socket',
  mount: 'Mount',
  swap: 'Swap',
  slice: 'Slice',
  scope: 'Scope',
});

/** systemd's memory directives, most binding first: the first that holds a size is the request. */
export const SYSTEMD_MEMORY_DIRECTIVES = Object.freeze(['MemoryMax', 'MemoryHigh', 'MemoryLimit'] as const);

type Parsed = { readonly ok: true; readonly amount: number } | { readonly ok: false; readonly problem: string };

const BYTES_HINT = 'use a number of bytes or a size with K, M, G or T: 512M, 1.5G';
const CORES_HINT = 'use a number of cores: 2, or a fraction such as 0.5';

function parseBytes(text: string): Parsed {
  if (text === '') return { ok: false, problem: `empty (${BYTES_HINT})` };
  const bytes = parseByteSize(text);
  if (bytes !== undefined) return bytes > 0 ? { ok: true, amount: bytes } : { ok: false, problem: 'must be more than 0 bytes' };
  if (text.startsWith('-') && parseByteSize(text.slice(1)) !== undefined) return { ok: false, problem: 'must be more than 0 bytes' };
  return { ok: false, problem: `not a byte size (${BYTES_HINT})` };
}

function parseCores(text: string): Parsed {
  if (text === '') return { ok: false, problem: `empty (${CORES_HINT})` };
  const cores = parseDecimal(text);
  if (cores !== undefined) return cores > 0 ? { ok: true, amount: cores } : { ok: false, problem: `must be more than 0 cores (${CORES_HINT})` };
  if (text.startsWith('-') && parseDecimal(text.slice(1)) !== undefined) return { ok: false, problem: `must be more than 0 cores (${CORES_HINT})` };
  return { ok: false, problem: `not a number of cores (${CORES_HINT})` };
}

function parseCount(resource: string, text: string): Parsed {
  const count = parseDecimal(text);
  if (count === undefined) return { ok: false, problem: `not a count (write ${resource}:1)` };
  if (!Number.isInteger(count)) return { ok: false, problem: `${resource} is counted in whole numbers, not ${text}` };
  return count > 0 ? { ok: true, amount: count } : { ok: false, problem: 'must be more than 0' };
}

/** How a `Resource=` item is refused when it names no declared resource. */
export function unknownResourceProblem(name: string, table: Pick<ResourceTable, 'declared'>): string {
  if (name === 'cpu' || name === 'memory') return `request ${name} with ${name === 'cpu' ? 'CPU=' : 'Memory='}`;
  const known = table.declared.length === 0 ? 'none declared' : `declared: ${table.declared.join(', ')}`;
  return `unknown resource ${name} (${known}); declare it in the resources plugin's options: resources: { ${name}: count } or { ${name}: bytes }`;
}

/** One `name:amount` item of `Resource=`: the resource and amount, or the problem. */
function parseResourceItem(item: string, table: ResourceTable): { readonly spec: ResourceSpec; readonly amount: number } | string {
  const colon = item.indexOf(':');
  const name = colon < 0 ? item : item.slice(0, colon);
  const spec = table.get(name);
  if (spec === undefined || spec.slot < 2) return unknownResourceProblem(name, table);
  if (colon < 0 || colon === item.length - 1) return `no amount (write ${spec.measure === 'bytes' ? `${name}:10G` : `${name}:1`})`;
  const text = item.slice(colon + 1);
  const parsed = spec.measure === 'bytes' ? parseBytes(text) : parseCount(name, text);
  return parsed.ok ? { spec, amount: parsed.amount } : parsed.problem;
}

/** Collects requests by slot (a later value wins, as systemd's assignments do) and problems in order. */
class RequestCollector {
  readonly bySlot = new Map<number, ResourceRequest>();
  readonly problems: string[] = [];

  set(spec: ResourceSpec, amount: number, source: RequestSource): void {
    this.bySlot.set(spec.slot, Object.freeze({ resource: spec.name, measure: spec.measure, amount, source, slot: spec.slot }));
  }

  result(): ResourcesRequirement | undefined {
    if (this.bySlot.size === 0 && this.problems.length === 0) return undefined;
    const requests = [...this.bySlot.values()].sort((a, b) => a.slot - b.slot);
    return Object.freeze({
      requests: Object.freeze(requests),
      slots: Int32Array.from(requests, (request) => request.slot),
      amounts: Float64Array.from(requests, (request) => request.amount),
      key: requests.map((request) => `${request.slot}:${request.amount}`).join(' '),
      ...(this.problems.length === 0 ? {} : { problem: this.problems.join('; ') }),
    });
  }
}

function readXFleet(unit: Pick<ResolvedUnit, 'fleetOptions'>, table: ResourceTable, into: RequestCollector): void {
  const single = [
    [MEMORY_OPTION, table.get('memory') as ResourceSpec, parseBytes],
    [CPU_OPTION, table.get('cpu') as ResourceSpec, parseCores],
  ] as const;
  for (const [option, spec, parse] of single) {
    for (const value of unitOptionValues(unit, option)) {
      const parsed = parse(value.trim());
      if (parsed.ok) into.set(spec, parsed.amount, 'x-fleet');
      else into.problems.push(`${option.name}=${value}: ${parsed.problem}`);
    }
  }
  for (const value of unitOptionValues(unit, RESOURCE_OPTION)) {
    const items = value.split(/\s+/).filter((item) => item !== '');
    if (items.length === 0) into.problems.push(`${RESOURCE_OPTION.name}=: empty (write a declared resource and its amount: gpu:1)`);
    for (const item of items) {
      const parsed = parseResourceItem(item, table);
      if (typeof parsed === 'string') into.problems.push(`${RESOURCE_OPTION.name}=${item}: ${parsed}`);
      else into.set(parsed.spec, parsed.amount, 'x-fleet');
    }
  }
}

/** systemd's `CPUQuota=50%` as cores (0.5), or undefined when it is not a quota (empty, no `%`, zero). */
export function coresOfCpuQuota(value: string | undefined): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)%\s*$/.exec(value ?? '');
  const percent = match === null ? undefined : Number(match[1]);
  return percent === undefined || percent <= 0 ? undefined : percent / 100;
}

/** A memory directive's bytes, or undefined for `infinity`, a percentage, empty or anything systemd alone reads. */
export function bytesOfMemoryDirective(value: string | undefined): number | undefined {
  const bytes = value === undefined ? undefined : parseByteSize(value);
  return bytes === undefined || bytes <= 0 ? undefined : bytes;
}

function readSystemd(unit: Pick<ResolvedUnit, 'file' | 'nameInfo'>, table: ResourceTable, into: RequestCollector): void {
  const section = CGROUP_SECTIONS[unit.nameInfo.type];
  if (section === undefined) return;
  const memory = table.get('memory') as ResourceSpec;
  if (!into.bySlot.has(memory.slot)) {
    for (const directive of SYSTEMD_MEMORY_DIRECTIVES) {
      const bytes = bytesOfMemoryDirective(unit.file.lastValue(section, directive));
      if (bytes === undefined) continue;
      into.set(memory, bytes, 'systemd');
      break;
    }
  }
  const cpu = table.get('cpu') as ResourceSpec;
  const cores = into.bySlot.has(cpu.slot) ? undefined : coresOfCpuQuota(unit.file.lastValue(section, 'CPUQuota'));
  if (cores !== undefined) into.set(cpu, cores, 'systemd');
}

/**
 * What a unit requests: `[X-Fleet]` `Memory=`, `CPU=` and `Resource=` (a
 * later value of a resource wins), and, for a resource those leave out and
 * when `requestsFromSystemd` is on, the unit's own systemd directives in its
 * type's section (`MemoryMax=`, else `MemoryHigh=`, else `MemoryLimit=`;
 * `CPUQuota=`). Undefined when it requests nothing. A pure function of the
 * unit: values it cannot read are in `problem`, never thrown.
 */
export function resourcesRequirement(
  unit: Pick<ResolvedUnit, 'fleetOptions' | 'file' | 'nameInfo'>,
  settings: RequestSettings,
): ResourcesRequirement | undefined {
  const collector = new RequestCollector();
  readXFleet(unit, settings.table, collector);
  if (settings.requestsFromSystemd) readSystemd(unit, settings.table, collector);
  return collector.result();
}

/** `memory 512 MiB, cpu 0.5`-style text of a request list, for logs and messages. */
export function formatRequests(requirement: Pick<ResourcesRequirement, 'requests'>): string {
  return requirement.requests.map((request) => `${request.resource} ${formatAmount(request.measure, request.amount)}`).join(', ');
}
