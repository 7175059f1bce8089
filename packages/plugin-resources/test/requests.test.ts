// What a unit requests: [X-Fleet] options, systemd's own directives as a fallback, and what submit refuses.
import { beforeAll, describe, expect, it } from 'vitest';
import { assemblePlugins, createUnit, ErrorCodes } from '@fleetd/core';
import type { PluginHost } from '@fleetd/core';
import { baseResolvedUnit } from '@fleetd/core/unstable';
import resources, {
  bytesOfMemoryDirective,
  coresOfCpuQuota,
  CPU_OPTION,
  MEMORY_OPTION,
  RESOURCE_OPTION,
  resourcesRequirement,
  resourceTable,
} from '../src/index.js';
import { GiB, MiB, plugins, service, withDeclared } from './helpers.js';

const table = resourceTable({ gpu: 'count', 'disk.ssd': 'bytes' });

/** A unit's requests as `[resource, amount, source]` in checking order, and its problem. */
function parsed(contents: string, { name = 'web.service', requestsFromSystemd = true } = {}) {
  const requirement = resourcesRequirement(baseResolvedUnit(createUnit({ name, contents })), { table, requestsFromSystemd });
  if (requirement === undefined) return undefined;
  return { requests: requirement.requests.map((request) => [request.resource, request.amount, request.source]), problem: requirement.problem };
}

describe('requests from [X-Fleet]', () => {
  it.each([
    { name: 'nothing requested', contents: service([]), expected: undefined },
    { name: 'Memory in M', contents: service(['Memory=512M']), expected: { requests: [['memory', 512 * MiB, 'x-fleet']], problem: undefined } },
    { name: 'Memory in bytes', contents: service(['Memory=1048576']), expected: { requests: [['memory', MiB, 'x-fleet']], problem: undefined } },
    { name: 'Memory 1.5G', contents: service(['Memory=1.5G']), expected: { requests: [['memory', 1.5 * GiB, 'x-fleet']], problem: undefined } },
    { name: 'fractional CPU', contents: service(['CPU=0.5']), expected: { requests: [['cpu', 0.5, 'x-fleet']], problem: undefined } },
    { name: 'CPU .25', contents: service(['CPU=.25']), expected: { requests: [['cpu', 0.25, 'x-fleet']], problem: undefined } },
    {
      name: 'checking order: cpu, memory, declared by name, whatever the file order',
      contents: service(['Resource=gpu:2', 'Memory=1G', 'Resource=disk.ssd:10G', 'CPU=2']),
      expected: {
        requests: [
          ['cpu', 2, 'x-fleet'],
          ['memory', GiB, 'x-fleet'],
          ['disk.ssd', 10 * GiB, 'x-fleet'],
          ['gpu', 2, 'x-fleet'],
        ],
        problem: undefined,
      },
    },
    {
      name: 'Resource values as a whitespace-separated list',
      contents: service(['Resource=gpu:1  disk.ssd:1G']),
      expected: {
        requests: [
          ['disk.ssd', GiB, 'x-fleet'],
          ['gpu', 1, 'x-fleet'],
        ],
        problem: undefined,
      },
    },
    {
      name: 'a quoted multi-value line, as fleet splits it',
      contents: service(['Resource="gpu:1" "disk.ssd:2G"']),
      expected: {
        requests: [
          ['disk.ssd', 2 * GiB, 'x-fleet'],
          ['gpu', 1, 'x-fleet'],
        ],
        problem: undefined,
      },
    },
    {
      name: 'a later value of a resource wins',
      contents: service(['Memory=1G', 'Memory=2G', 'Resource=gpu:1 gpu:3']),
      expected: {
        requests: [
          ['memory', 2 * GiB, 'x-fleet'],
          ['gpu', 3, 'x-fleet'],
        ],
        problem: undefined,
      },
    },
  ])('$name', ({ contents, expected }) => {
    expect(parsed(contents)).toEqual(expected);
  });
});

describe("requests from the unit's own systemd directives", () => {
  it.each([
    { name: 'MemoryMax', unit: 'web.service', contents: service([], ['MemoryMax=1G']), expected: [['memory', GiB, 'systemd']] },
    { name: 'MemoryHigh when no MemoryMax', unit: 'web.service', contents: service([], ['MemoryHigh=768M']), expected: [['memory', 768 * MiB, 'systemd']] },
    { name: 'MemoryLimit (cgroup v1) last', unit: 'web.service', contents: service([], ['MemoryLimit=256M']), expected: [['memory', 256 * MiB, 'systemd']] },
    {
      name: 'MemoryMax before MemoryHigh before MemoryLimit',
      unit: 'web.service',
      contents: service([], ['MemoryLimit=3G', 'MemoryHigh=2G', 'MemoryMax=1G']),
      expected: [['memory', GiB, 'systemd']],
    },
    {
      name: 'MemoryMax=infinity is no request: MemoryHigh counts',
      unit: 'web.service',
      contents: service([], ['MemoryMax=infinity', 'MemoryHigh=1G']),
      expected: [['memory', GiB, 'systemd']],
    },
    { name: 'a percentage of memory is no request', unit: 'web.service', contents: service([], ['MemoryMax=50%']), expected: undefined },
    {
      name: 'an unreadable value is no request (and not refused)',
      unit: 'web.service',
      contents: service([], ['MemoryMax=lots', 'CPUQuota=fast']),
      expected: undefined,
    },
    {
      name: 'the last assignment wins, as in systemd',
      unit: 'web.service',
      contents: service([], ['MemoryMax=1G', 'MemoryMax=2G']),
      expected: [['memory', 2 * GiB, 'systemd']],
    },
    { name: 'an empty assignment resets, as in systemd', unit: 'web.service', contents: service([], ['MemoryMax=1G', 'MemoryMax=']), expected: undefined },
    { name: 'CPUQuota=50% is half a core', unit: 'web.service', contents: service([], ['CPUQuota=50%']), expected: [['cpu', 0.5, 'systemd']] },
    { name: 'CPUQuota=250% is two and a half cores', unit: 'web.service', contents: service([], ['CPUQuota=250%']), expected: [['cpu', 2.5, 'systemd']] },
    {
      name: 'a socket reads [Socket]',
      unit: 'web.socket',
      contents: '[Socket]\nListenStream=80\nMemoryMax=64M\n',
      expected: [['memory', 64 * MiB, 'systemd']],
    },
    { name: 'a slice reads [Slice]', unit: 'batch.slice', contents: '[Slice]\nCPUQuota=200%\n', expected: [['cpu', 2, 'systemd']] },
    {
      name: 'a mount reads [Mount]',
      unit: 'data.mount',
      contents: '[Mount]\nWhat=/dev/sdb\nWhere=/data\nMemoryMax=32M\n',
      expected: [['memory', 32 * MiB, 'systemd']],
    },
    { name: 'another section is not read', unit: 'web.service', contents: '[Unit]\nMemoryMax=1G\n[Service]\nExecStart=/bin/true\n', expected: undefined },
    { name: 'a timer has no resource control', unit: 'tick.timer', contents: '[Timer]\nOnCalendar=daily\nMemoryMax=1G\n', expected: undefined },
    {
      name: '[X-Fleet] wins per resource: Memory from X-Fleet, cpu from CPUQuota',
      unit: 'web.service',
      contents: service(['Memory=512M'], ['MemoryMax=1G', 'CPUQuota=25%']),
      expected: [
        ['cpu', 0.25, 'systemd'],
        ['memory', 512 * MiB, 'x-fleet'],
      ],
    },
  ])('$name', ({ unit, contents, expected }) => {
    expect(parsed(contents, { name: unit })?.requests).toEqual(expected);
  });

  it('requestsFromSystemd: false reads [X-Fleet] only', () => {
    expect(parsed(service([], ['MemoryMax=1G', 'CPUQuota=50%']), { requestsFromSystemd: false })).toBeUndefined();
    expect(parsed(service(['CPU=1'], ['MemoryMax=1G']), { requestsFromSystemd: false })?.requests).toEqual([['cpu', 1, 'x-fleet']]);
  });

  it.each([
    { value: '1G', bytes: GiB },
    { value: ' 512M ', bytes: 512 * MiB },
    { value: 'infinity', bytes: undefined },
    { value: '10%', bytes: undefined },
    { value: '0', bytes: undefined },
    { value: '', bytes: undefined },
  ])('MemoryMax=$value is $bytes bytes', ({ value, bytes }) => {
    expect(bytesOfMemoryDirective(value)).toBe(bytes);
  });

  it.each([
    { value: '50%', cores: 0.5 },
    { value: '150%', cores: 1.5 },
    { value: '12.5%', cores: 0.125 },
    { value: '0%', cores: undefined },
    { value: '50', cores: undefined },
    { value: '', cores: undefined },
  ])('CPUQuota=$value is $cores cores', ({ value, cores }) => {
    expect(coresOfCpuQuota(value)).toBe(cores);
  });
});

describe('submit refuses requests it cannot read, naming the option as written', () => {
  let host: PluginHost;
  beforeAll(async () => {
    host = await assemblePlugins(plugins(withDeclared()));
  });

  const refusal = (contents: string, name = 'web.service') => {
    try {
      host.validateUnit(createUnit({ name, contents }));
    } catch (error) {
      return error;
    }
    return undefined;
  };

  it.each([
    {
      name: 'a memory size that is a word',
      line: 'Memory=lots',
      problem: 'Memory=lots: not a byte size (use a number of bytes or a size with K, M, G or T: 512M, 1.5G)',
    },
    { name: 'a negative memory size', line: 'Memory=-1', problem: 'Memory=-1: must be more than 0 bytes' },
    { name: 'no memory at all', line: 'Memory=0', problem: 'Memory=0: must be more than 0 bytes' },
    { name: 'an empty memory size', line: 'Memory=', problem: 'Memory=: empty (use a number of bytes or a size with K, M, G or T: 512M, 1.5G)' },
    { name: 'zero cores', line: 'CPU=0', problem: 'CPU=0: must be more than 0 cores (use a number of cores: 2, or a fraction such as 0.5)' },
    { name: 'negative cores', line: 'CPU=-2', problem: 'CPU=-2: must be more than 0 cores (use a number of cores: 2, or a fraction such as 0.5)' },
    { name: 'cores that are a word', line: 'CPU=abc', problem: 'CPU=abc: not a number of cores (use a number of cores: 2, or a fraction such as 0.5)' },
    { name: 'a percentage of cores', line: 'CPU=50%', problem: 'CPU=50%: not a number of cores (use a number of cores: 2, or a fraction such as 0.5)' },
    {
      name: 'an undeclared resource',
      line: 'Resource=tpu:1',
      problem:
        "Resource=tpu:1: unknown resource tpu (declared: disk.ssd, gpu); declare it in the resources plugin's options: resources: { tpu: count } or { tpu: bytes }",
    },
    { name: 'cpu through Resource', line: 'Resource=cpu:1', problem: 'Resource=cpu:1: request cpu with CPU=' },
    { name: 'a resource without an amount', line: 'Resource=gpu', problem: 'Resource=gpu: no amount (write gpu:1)' },
    { name: 'a bytes resource without an amount', line: 'Resource=disk.ssd:', problem: 'Resource=disk.ssd:: no amount (write disk.ssd:10G)' },
    { name: 'a fraction of a count', line: 'Resource=gpu:1.5', problem: 'Resource=gpu:1.5: gpu is counted in whole numbers, not 1.5' },
    { name: 'a count that is a word', line: 'Resource=gpu:two', problem: 'Resource=gpu:two: not a count (write gpu:1)' },
    { name: 'zero of a count', line: 'Resource=gpu:0', problem: 'Resource=gpu:0: must be more than 0' },
    {
      name: 'a bytes resource that is not a size',
      line: 'Resource=disk.ssd:big',
      problem: 'Resource=disk.ssd:big: not a byte size (use a number of bytes or a size with K, M, G or T: 512M, 1.5G)',
    },
    { name: 'an empty Resource', line: 'Resource=', problem: 'Resource=: empty (write a declared resource and its amount: gpu:1)' },
  ])('$name: $line', ({ line, problem }) => {
    expect(refusal(service([line]))).toMatchObject({
      code: ErrorCodes.UNIT_INVALID,
      unit: 'web.service',
      plugin: 'resources',
      message: `unit web.service: ${problem}`,
    });
  });

  it('names every problem of a unit, joined with "; "', () => {
    expect(refusal(service(['Memory=lots', 'CPU=0.5', 'Resource=gpu:1 tpu:2']))).toMatchObject({
      code: ErrorCodes.UNIT_INVALID,
      message:
        'unit web.service: Memory=lots: not a byte size (use a number of bytes or a size with K, M, G or T: 512M, 1.5G); ' +
        "Resource=tpu:2: unknown resource tpu (declared: disk.ssd, gpu); declare it in the resources plugin's options: resources: { tpu: count } or { tpu: bytes }",
    });
  });

  it('says when no resource is declared', async () => {
    const bare = await assemblePlugins(plugins({}));
    expect(() => bare.validateUnit(createUnit({ name: 'web.service', contents: service(['Resource=gpu:1']) }))).toThrow(
      "unit web.service: Resource=gpu:1: unknown resource gpu (none declared); declare it in the resources plugin's options: resources: { gpu: count } or { gpu: bytes }",
    );
  });

  it.each([
    { name: 'the three options, through the validation plugin', contents: service(['Memory=512M', 'CPU=0.5', 'Resource=gpu:1', 'Resource=disk.ssd:20G']) },
    { name: "systemd's own unreadable values are systemd's business", contents: service([], ['MemoryMax=lots', 'CPUQuota=fast', 'MemoryHigh=80%']) },
    { name: 'a template whose values its instances expand', contents: service(['Memory=%i']), unit: 'web@.service' },
  ])('accepts $name', ({ contents, unit }) => {
    expect(refusal(contents, unit)).toBeUndefined();
  });

  it('declares Memory, CPU and Resource, so the validation plugin accepts them', async () => {
    expect(host.unitOptions.get('Memory')).toMatchObject({ ...MEMORY_OPTION, plugin: 'resources' });
    expect(host.unitOptions.get('CPU')).toMatchObject({ ...CPU_OPTION, plugin: 'resources' });
    expect(host.unitOptions.get('Resource')).toMatchObject({ ...RESOURCE_OPTION, plugin: 'resources' });
    // Without the plugin, fleet's validation refuses them as unknown options.
    const fleetOnly = await assemblePlugins(plugins(undefined, undefined, {}).slice(0, -1));
    expect(() => fleetOnly.validateUnit(createUnit({ name: 'web.service', contents: service(['Memory=1G']) }))).toThrow('unrecognized [X-Fleet] option Memory');
  });

  it('parses once, in resolveUnit, into unit.requirements.resources', async () => {
    const alone = await assemblePlugins([[resources, withDeclared()]]);
    const unit = alone.resolveUnit(createUnit({ name: 'web.service', contents: service(['CPU=1', 'Resource=gpu:2']) }));
    expect(unit.requirements.resources).toEqual({
      requests: [
        { resource: 'cpu', measure: 'cores', amount: 1, source: 'x-fleet', slot: 0 },
        { resource: 'gpu', measure: 'count', amount: 2, source: 'x-fleet', slot: 3 },
      ],
      slots: Int32Array.of(0, 3),
      amounts: Float64Array.of(1, 2),
      key: '0:1 3:2',
    });
    expect(alone.resolveUnit(createUnit({ name: 'plain.service', contents: service([]) })).requirements.resources).toBeUndefined();
  });
});
