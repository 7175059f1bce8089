// MachineView.unitsVersion: what a plugin keys its per-machine sums on.
import { describe, expect, it } from 'vitest';
import { assemblePlugins, createUnit } from '../index.js';
import type { ClusterState } from './cluster-state.js';
import { Scheduler } from './scheduler.js';
import { summarizeRejections } from './summary.js';

const unit = (name: string, desiredState: 'loaded' | 'inactive' = 'loaded', exec = '/bin/true') =>
  createUnit({ name, contents: `[Service]\nExecStart=${exec}\n`, desiredState });

async function stateWithTwoMachines() {
  const state = new Scheduler(await assemblePlugins([])).createState();
  state.upsertMachine({ id: 'm1', metadata: {} });
  state.upsertMachine({ id: 'm2', metadata: {} });
  return state;
}

describe('MachineView.unitsVersion', () => {
  it.each([
    { name: 'a unit placed there', change: (s: ClusterState) => s.setPlacement('a.service', 'm1'), changed: true },
    { name: 'a unit placed elsewhere', change: (s: ClusterState) => s.setPlacement('a.service', 'm2'), changed: false },
    { name: 'a global unit running there', change: (s: ClusterState) => s.setGlobal('a.service', [s.machine('m1') as never]), changed: true },
    { name: 'another machine arriving', change: (s: ClusterState) => s.upsertMachine({ id: 'm3', metadata: {} }), changed: false },
  ])('$name changes it: $changed', async ({ change, changed }) => {
    const state = await stateWithTwoMachines();
    state.upsertUnit(unit('a.service'));
    const before = state.machine('m1')?.unitsVersion;
    change(state);
    expect(state.machine('m1')?.unitsVersion !== before).toBe(changed);
  });

  it('changes when a unit placed there gets a new version (a replace), not when it is written again unchanged', async () => {
    const state = await stateWithTwoMachines();
    state.upsertUnit(unit('a.service'));
    state.setPlacement('a.service', 'm1');
    const placed = state.machine('m1')?.unitsVersion;
    state.upsertUnit(unit('a.service'));
    expect(state.machine('m1')?.unitsVersion).toBe(placed);
    state.upsertUnit(unit('a.service', 'loaded', '/bin/false'));
    expect(state.machine('m1')?.unitsVersion).not.toBe(placed);
  });

  it('changes when a unit there becomes inactive (it no longer needs the machine)', async () => {
    const state = await stateWithTwoMachines();
    state.upsertUnit(unit('a.service'));
    state.setPlacement('a.service', 'm1');
    const placed = state.machine('m1')?.unitsVersion;
    state.upsertUnit(unit('a.service', 'inactive'));
    expect(state.machine('m1')?.units.has('a.service')).toBe(false);
    expect(state.machine('m1')?.unitsVersion).not.toBe(placed);
  });
});

describe('unschedulable summaries', () => {
  it('regression: reasons that differ per machine are cut after five groups, the rest counted', () => {
    const rejections = Array.from({ length: 8 }, (_, i) => ({ plugin: 'resources', message: `memory: requests 2 GiB, ${i} GiB free of 8 GiB` }));
    rejections.push({ plugin: 'resources', message: 'memory: requests 2 GiB, 0 GiB free of 8 GiB' });
    expect(summarizeRejections(0, 9, rejections)).toBe(
      '0/9 machines available: 2 memory: requests 2 GiB, 0 GiB free of 8 GiB, 1 memory: requests 2 GiB, 1 GiB free of 8 GiB, 1 memory: requests 2 GiB, 2 GiB free of 8 GiB, 1 memory: requests 2 GiB, 3 GiB free of 8 GiB, 1 memory: requests 2 GiB, 4 GiB free of 8 GiB, 3 for 3 other reasons',
    );
  });
});
