// The plugin's options: defaults, and every problem reported as `resources: path: message`.
import { describe, expect, it } from 'vitest';
import { assemblePlugins, ErrorCodes } from '@fleetd/core';
import resources, { resourceSettings, resourcesOptions } from '../src/index.js';
import { GiB } from './helpers.js';

describe('options', () => {
  it('defaults: spread, no declared resources, measured capacity, no reservation, requests from systemd, no enforcement', () => {
    expect(resourcesOptions.parse({})).toEqual({ strategy: 'spread', resources: {}, capacity: {}, reserved: {}, requestsFromSystemd: true, enforce: false });
  });

  it('turns amounts into numbers', () => {
    const settings = resourceSettings(
      resourcesOptions.parse({
        resources: { gpu: 'count', scratch: 'bytes' },
        capacity: { cpu: '2.5', memory: '8G', gpu: 2, scratch: 1024 },
        reserved: { memory: 512 * 2 ** 20 },
      }),
    );
    expect([...settings.capacity]).toEqual([
      ['cpu', 2.5],
      ['memory', 8 * GiB],
      ['gpu', 2],
      ['scratch', 1024],
    ]);
    expect([...settings.reserved]).toEqual([['memory', GiB / 2]]);
    expect(settings.table.specs.map((spec) => [spec.name, spec.measure, spec.slot])).toEqual([
      ['cpu', 'cores', 0],
      ['memory', 'bytes', 1],
      ['gpu', 'count', 2],
      ['scratch', 'bytes', 3],
    ]);
  });

  it.each([
    { name: 'an unknown strategy', options: { strategy: 'random' }, issues: ['resources: strategy: must be spread or binpack, got "random"'] },
    {
      name: 'an unknown option',
      options: { weight: 2 },
      issues: ['resources: options: unknown option weight; the options are strategy, resources, capacity, reserved, requestsFromSystemd, enforce'],
    },
    {
      name: 'a kind that is neither bytes nor count',
      options: { resources: { gpu: 'number' } },
      issues: ['resources: resources.gpu: must be bytes or count, got "number"'],
    },
    {
      name: 'declaring a built-in resource',
      options: { resources: { memory: 'bytes' } },
      issues: ['resources: resources.memory: memory is built in: request it with Memory=, it needs no declaration'],
    },
    {
      name: 'a name ending in .reserved',
      options: { resources: { 'gpu.reserved': 'count' } },
      issues: ['resources: resources.gpu.reserved: gpu.reserved ends in .reserved, which names a reservation fact: choose another name'],
    },
    {
      name: 'a name that is not a fact name',
      options: { resources: { 'fast disk': 'bytes' } },
      issues: ['resources: resources.fast disk: fact name "fast disk" is invalid: use 1-128 characters of [A-Za-z0-9_.-], starting with a letter or digit'],
    },
    {
      name: 'a capacity for an undeclared resource',
      options: { capacity: { gpu: 1 } },
      issues: ['resources: capacity.gpu: unknown resource gpu: use cpu, memory or a resource declared in resources'],
    },
    {
      name: 'memory that is not a size',
      options: { capacity: { memory: 'lots' } },
      issues: ['resources: capacity.memory: must be a number of bytes or a size such as 8G or 512M, got "lots"'],
    },
    {
      name: 'a fraction of a byte',
      options: { reserved: { memory: 1.5 } },
      issues: ['resources: reserved.memory: must be a number of bytes or a size such as 8G or 512M, got 1.5'],
    },
    { name: 'negative cores', options: { capacity: { cpu: -1 } }, issues: ['resources: capacity.cpu: must be a number of cores (4, 0.5), got -1'] },
    {
      name: 'a fraction of a count',
      options: { resources: { gpu: 'count' }, capacity: { gpu: 1.5 } },
      issues: ['resources: capacity.gpu: must be a whole number, got 1.5'],
    },
    {
      name: 'a reservation above the capacity',
      options: { capacity: { memory: '8G' }, reserved: { memory: '10G' } },
      issues: ['resources: reserved.memory: 10 GiB is more than the capacity (8 GiB)'],
    },
    { name: 'a flag that is text', options: { enforce: 'yes' }, issues: ['resources: enforce: must be true or false, got "yes"'] },
    { name: 'amounts that are not a record', options: { reserved: ['1G'] }, issues: ['resources: reserved: must map resource names to amounts, got ["1G"]'] },
    {
      name: 'every problem at once',
      options: { strategy: 'tight', resources: { gpu: 'count', cpu: 'count' }, capacity: { gpu: 'two', tpu: 1 }, requestsFromSystemd: 1 },
      issues: [
        'resources: strategy: must be spread or binpack, got "tight"',
        'resources: requestsFromSystemd: must be true or false, got 1',
        'resources: resources.cpu: cpu is built in: request it with CPU=, it needs no declaration',
        'resources: capacity.gpu: must be a whole number, got "two"',
        'resources: capacity.tpu: unknown resource tpu: use cpu, memory or a resource declared in resources',
      ],
    },
  ])('refuses $name', async ({ options, issues }) => {
    await expect(assemblePlugins([[resources, options]])).rejects.toMatchObject({
      code: ErrorCodes.PLUGIN_OPTIONS_INVALID,
      plugin: 'resources',
      issues,
      message: `invalid plugin options:\n  ${issues.join('\n  ')}`,
    });
  });
});
