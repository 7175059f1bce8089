import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '@fleetd/core';
import { parseClusterFile, readClusterFile } from '../../src/cli/cluster-file.js';
import { expectFleetError, FIXTURES } from './helpers.js';

const THREE = [
  { id: 'web-1', metadata: { region: 'us-east-1', disk: 'ssd' } },
  { id: 'web-2', metadata: { region: 'us-west-1', disk: 'hdd' } },
  { id: 'web-3', metadata: { region: 'us-east-1', disk: 'hdd' } },
];

describe('simulate cluster files', () => {
  it.each([
    { name: 'YAML', file: 'three.yaml' },
    { name: 'JSON', file: 'three.json' },
  ])('reads $name, metadata as a mapping or k=v,k2=v2', ({ file }) => {
    expect(readClusterFile(join(FIXTURES, 'clusters', file))).toEqual(THREE);
  });

  it.each([
    { name: 'a non-string metadata value', file: 'bad-metadata.yaml', message: 'bad-metadata.yaml:4: machines[0].metadata.region: expected a string value' },
    {
      name: 'an invalid machine ID',
      file: 'bad-id.yaml',
      message: 'bad-id.yaml:3: machines[1].id: machine ID "-bad" is invalid: use 1-128 characters of [A-Za-z0-9._-], starting with a letter or digit',
    },
    { name: 'a misspelt key', file: 'typo.yaml', message: 'typo.yaml:3: machines[0].metdata: unknown key (only "id", "metadata" and "facts" are allowed)' },
    { name: 'broken YAML', file: 'broken.yaml', message: /^broken\.yaml:3: / },
  ])('refuses $name, naming file, line and path', ({ file, message }) => {
    const path = join(FIXTURES, 'clusters', file);
    expectFleetError(
      () => readClusterFile(path),
      ErrorCodes.MACHINE_INVALID,
      typeof message === 'string' ? `${join(FIXTURES, 'clusters')}/${message}` : new RegExp(`^${join(FIXTURES, 'clusters')}/${message.source.slice(1)}`),
    );
  });

  it('reads typed facts: numbers, sizes, and explicit { type, value }', () => {
    expect(readClusterFile(join(FIXTURES, 'clusters', 'capacity.yaml'))).toEqual([
      { id: 'small', metadata: {}, facts: { cpu: { type: 'number', value: 2 }, memory: { type: 'bytes', value: 4 * 2 ** 30 } } },
      {
        id: 'big',
        metadata: { disk: 'ssd' },
        facts: {
          cpu: { type: 'number', value: 16 },
          memory: { type: 'bytes', value: 64 * 2 ** 30 },
          'disk.ssd': { type: 'bytes', value: 500 * 2 ** 30 },
          nic: { type: 'string', value: '10G' },
        },
      },
      { id: 'bare', metadata: {} },
    ]);
  });

  it.each([
    { name: 'no machines key', text: 'nodes: []\n', message: 'c.yaml:1: nodes: unknown key (only "machines" is allowed)' },
    { name: 'an empty list', text: 'machines: []\n', message: 'c.yaml:1: machines: expected a non-empty list of machines' },
    { name: 'not a mapping', text: '- a\n', message: 'c.yaml:1: expected a mapping with a "machines" list' },
    { name: 'a duplicate machine', text: 'machines:\n  - id: a\n  - id: a\n', message: 'c.yaml:3: machines[1].id: machine a is listed twice' },
    { name: 'a bad k=v string', text: 'machines:\n  - id: a\n    metadata: region\n', message: 'c.yaml:3: machines[0].metadata: "region" is not key=value' },
    {
      name: 'a bad metadata key',
      text: 'machines:\n  - id: a\n    metadata: { "a b": c }\n',
      message: 'c.yaml:3: machines[0].metadata: machine a: metadata "a b" must be a key of [A-Za-z0-9_.-] with a string value',
    },
    {
      name: 'a bad fact name',
      text: 'machines:\n  - id: a\n    facts:\n      "a b": 1\n',
      message: 'c.yaml:4: machines[0].facts.a b: fact name "a b" is invalid: use 1-128 characters of [A-Za-z0-9_.-], starting with a letter or digit',
    },
    {
      name: 'a size that is not one',
      text: 'machines:\n  - id: a\n    facts:\n      memory: { type: bytes, value: lots }\n',
      message: 'c.yaml:4: machines[0].facts.memory: "lots" is not a byte size (512M, 8G, 1.5GiB)',
    },
    {
      name: 'facts that are a list',
      text: 'machines:\n  - id: a\n    facts: [cpu]\n',
      message: 'c.yaml:3: machines[0].facts: expected a mapping of fact name: value (cpu: 4, memory: 8G)',
    },
  ])('refuses $name', ({ text, message }) => {
    expectFleetError(() => parseClusterFile('c.yaml', text), ErrorCodes.MACHINE_INVALID, message);
  });

  it('a missing file is CONFIG_NOT_FOUND naming it', () => {
    expectFleetError(
      () => readClusterFile('/nonexistent/cluster.yaml'),
      ErrorCodes.CONFIG_NOT_FOUND,
      '--cluster /nonexistent/cluster.yaml: cannot read it (ENOENT)',
    );
  });
});
