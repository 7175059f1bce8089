/**
 * fleetctl with many unit files at once: it reads the cluster's unit list
 * once and sends many units per request (POST /fleetd/v1/units), yet prints
 * what fleet's fleetctl printed going one unit at a time, and stops where
 * fleet's stopped: the units before a bad one are created, none after it.
 * Machines only announce themselves (no agent).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LIST_FROM_NAMES } from '../../src/cli/find-units.js';
import { startCliCluster, type CliCluster } from './cluster.js';

const SERVICE = '[Service]\nExecStart=/bin/sleep 1000\n';
/** More than LIST_FROM_NAMES: the list is read once instead of a GET per name. */
const COUNT = 2 * LIST_FROM_NAMES + 20;
let cluster: CliCluster;

beforeAll(async () => {
  cluster = await startCliCluster([{ id: 'm1' }]);
});
afterAll(async () => cluster?.stop());
afterEach(async () => {
  const { items } = await cluster.registry.list(cluster.store.layout.units);
  for (const kv of items) await cluster.store.destroyUnit(kv.key.slice(cluster.store.layout.units.length));
});

/** Unit files app-0 … app-(COUNT-1), with `bad` at its index instead of a good one. */
function writeUnits(prefix: string, bad?: { index: number; contents: string }): string[] {
  return Array.from({ length: COUNT }, (_, i) => {
    const name = `${prefix}-${i}.service`;
    cluster.writeUnit(name, i === bad?.index ? bad.contents : SERVICE);
    return name;
  });
}

async function desiredStates(): Promise<Record<string, string>> {
  const { items } = await cluster.registry.list(cluster.store.layout.desired(''));
  return Object.fromEntries(items.map((kv) => [kv.key.slice(cluster.store.layout.desired('').length), kv.value]));
}

const lines = (names: readonly string[], line: (name: string) => string) => names.map((name) => `${line(name)}\n`).join('');

describe('fleetctl with many units', () => {
  it('submit, then start --no-block: every line in argument order, every unit stored', async () => {
    const names = writeUnits('app');
    expect(await cluster.fleetctl('submit', ...names)).toEqual({ code: 0, stdout: lines(names, (name) => `Unit ${name} inactive`), stderr: '' });
    expect(await desiredStates()).toEqual(Object.fromEntries(names.map((name) => [name, 'inactive'])));
    const extra = writeUnits('more').slice(0, 3);
    expect(await cluster.fleetctl('start', '--no-block', ...names, ...extra)).toEqual({
      code: 0,
      stdout: lines(extra, (name) => `Unit ${name} inactive`) + lines([...names, ...extra], (name) => `Triggered unit ${name} start`),
      stderr: '',
    });
    expect(await desiredStates()).toEqual(Object.fromEntries([...names, ...extra].map((name) => [name, 'launched'])));
  });

  it.each([
    {
      name: 'a local file that does not parse',
      contents: '[Service]\nthis is not an option\n',
      stderr: (file: string) => new RegExp(`^fleetctl: .*${file.replace(/[.]/g, '\\.')}:2:1`),
    },
    {
      name: "a unit the daemon's validation refuses (MachineID with Global)",
      contents: `${SERVICE}\n[X-Fleet]\nMachineID=m1\nGlobal=true\n`,
      stderr: (file: string) => new RegExp(`^fleetctl: unit ${file.replace(/[.]/g, '\\.')}: .*Global`),
    },
  ])('start stops at $name: the units before it are created and printed, none after it, none started', async ({ contents, stderr }) => {
    const index = LIST_FROM_NAMES + 7;
    const names = writeUnits('job', { index, contents });
    const result = await cluster.fleetctl('start', '--no-block', ...names);
    expect(result).toMatchObject({ code: 1, stdout: lines(names.slice(0, index), (name) => `Unit ${name} inactive`) });
    expect(result.stderr).toMatch(stderr(names[index] as string));
    expect(result.stderr.split('\n')).toHaveLength(2);
    expect(await desiredStates()).toEqual(Object.fromEntries(names.slice(0, index).map((name) => [name, 'inactive'])));
  });

  it('creates instances from a template an earlier argument submitted, as fleet did one argument after the other', async () => {
    cluster.writeUnit('web@.service', SERVICE);
    const instances = Array.from({ length: COUNT }, (_, i) => `web@${i}.service`);
    expect(await cluster.fleetctl('submit', 'web@.service', ...instances, 'web@.service')).toEqual({
      code: 0,
      stdout: lines(['web@.service', ...instances], (name) => `Unit ${name} inactive`),
      stderr: '',
    });
    expect(Object.keys(await desiredStates())).toHaveLength(COUNT + 1);
  });
});
