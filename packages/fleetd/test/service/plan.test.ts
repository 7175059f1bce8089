import { assemblePlugins, createMachine, createUnit, ErrorCodes } from '@fleetd/core';
import { testPlugin } from '@fleetd/core/testing';
import type { PluginHost } from '@fleetd/core';
import type { SchedulingSnapshot } from '@fleetd/core/unstable';
import { fleetPreset } from '@fleetd/preset-fleet';
import { beforeAll, describe, expect, it } from 'vitest';
import { planUnits } from '../../src/service/index.js';
import { checkPlanSize, MAX_PLAN_DECISIONS } from '../../src/service/plan.js';

const SERVICE = '[Service]\nExecStart=/bin/true\n';
let host: PluginHost;
beforeAll(async () => {
  host = await assemblePlugins(fleetPreset());
});

const machine = (id: string, metadata: Record<string, string> = {}) => createMachine({ id, metadata });
const unit = (name: string, extra = '', desiredState: 'launched' | 'inactive' = 'launched') =>
  createUnit({ name, contents: `${SERVICE}${extra}`, desiredState });

const cluster: SchedulingSnapshot = {
  machines: [machine('m1', { region: 'eu' }), machine('m2', { region: 'us' })],
  units: [unit('old.service'), unit('db.service', '[X-Fleet]\nMachineMetadata=region=us\n')],
  placements: [
    { unit: 'old.service', machine: 'm1' },
    { unit: 'db.service', machine: 'm2' },
  ],
};

describe('planUnits (pure)', () => {
  it('places a new unit on the least-loaded machine that passes, without touching the snapshot', () => {
    const result = planUnits(host, cluster, { units: [{ name: 'web.service', contents: `${SERVICE}[X-Fleet]\nMachineMetadata=region=eu\n` }] });
    expect(result).toEqual({ units: [{ unit: 'web.service', machine: 'm1' }], moved: [] });
    expect(cluster.units).toHaveLength(2);
  });

  it('explains an unschedulable unit with a summary and a reason for every machine', () => {
    const result = planUnits(host, cluster, { units: [{ name: 'x.service', options: [{ section: 'X-Fleet', name: 'MachineMetadata', value: 'region=ap' }] }] });
    const reason = { plugin: 'metadata', kind: 'narrow', message: 'metadata region=ap not matched' };
    expect(result.units).toEqual([
      {
        unit: 'x.service',
        summary: '0/2 machines available: 2 metadata region=ap not matched',
        rejections: [
          { machine: 'm1', ...reason },
          { machine: 'm2', ...reason },
        ],
      },
    ]);
  });

  it('lists every machine a global unit would run on, and why not the others', () => {
    const result = planUnits(host, cluster, { units: [{ name: 'g.service', contents: `${SERVICE}[X-Fleet]\nGlobal=true\nMachineMetadata=region=us\n` }] });
    expect(result.units).toEqual([
      { unit: 'g.service', machines: ['m2'], rejections: [{ machine: 'm1', plugin: 'metadata', kind: 'narrow', message: 'metadata region=us not matched' }] },
    ]);
  });

  it('places a replacing unit elsewhere when it can, moving nothing', () => {
    const result = planUnits(host, cluster, { units: [{ name: 'new.service', contents: `${SERVICE}[X-Fleet]\nReplaces=old.service\n` }] });
    expect(result).toEqual({ units: [{ unit: 'new.service', machine: 'm2' }], moved: [] });
  });

  it('reports an existing unit that a Replaces pushes off the only machine its replacer can take', () => {
    const result = planUnits(host, cluster, {
      units: [{ name: 'new.service', contents: `${SERVICE}[X-Fleet]\nReplaces=old.service\nMachineMetadata=region=eu\n` }],
    });
    expect(result.units).toEqual([{ unit: 'new.service', machine: 'm1' }]);
    expect(result.moved).toEqual([{ unit: 'old.service', from: 'm1', to: 'm2' }]);
  });

  it('replaces the contents of an existing unit and reports its previous machine when it moves', () => {
    const result = planUnits(host, cluster, { units: [{ name: 'db.service', contents: `${SERVICE}[X-Fleet]\nMachineMetadata=region=eu\n` }] });
    expect(result.units).toEqual([{ unit: 'db.service', machine: 'm1', previousMachine: 'm2' }]);
  });

  it('plans an existing unit from its stored contents when none are given', () => {
    expect(planUnits(host, cluster, { units: [{ name: 'db.service' }] }).units).toEqual([{ unit: 'db.service', machine: 'm2' }]);
  });

  it('simulates against the given machines only, ignoring the cluster', () => {
    const result = planUnits(host, cluster, {
      units: [
        { name: 'a.service', contents: SERVICE },
        { name: 'b.service', contents: SERVICE },
        { name: 'c.service', contents: SERVICE, desiredState: 'inactive' },
      ],
      machines: [{ id: 's1' }, { id: 's2', metadata: { region: 'eu' } }],
    });
    expect(result).toEqual({ units: [{ unit: 'a.service', machine: 's1' }, { unit: 'b.service', machine: 's2' }, { unit: 'c.service' }], moved: [] });
  });

  it("regression: a MachineOf chain whose names sort against it is planned onto one machine, as the engine's successive rounds place it", () => {
    // Units are decided by name: a waits for b, b for c, c for d. One round (three passes) placed d, c
    // and b, and reported a unschedulable; the engine's next round placed it.
    const follows = (leader: string) => `${SERVICE}[X-Fleet]\nMachineOf=${leader}\n`;
    const result = planUnits(host, cluster, {
      units: [
        { name: 'a.service', contents: follows('b.service') },
        { name: 'b.service', contents: follows('c.service') },
        { name: 'c.service', contents: follows('d.service') },
        { name: 'd.service', contents: SERVICE },
      ],
      machines: [{ id: 's1' }, { id: 's2' }],
    });
    expect(result).toEqual({
      units: [
        { unit: 'a.service', machine: 's1' },
        { unit: 'b.service', machine: 's1' },
        { unit: 'c.service', machine: 's1' },
        { unit: 'd.service', machine: 's1' },
      ],
      moved: [],
    });
  });

  it('says the plan did not settle when placements still change at the round cap', async () => {
    // Rejects the machine a unit sits on, and then that machine for its next placement: it never stays.
    const restless = testPlugin('restless', (hooks) => {
      let left: string | undefined;
      hooks.filter.tap((unit, machine, cluster) => {
        if (cluster.placementOf(unit.name)?.id === machine.id) {
          left = machine.id;
          return 'moves on';
        }
        return machine.id === left ? 'just left it' : undefined;
      });
    });
    const restlessHost = await assemblePlugins([...fleetPreset(), restless]);
    const result = planUnits(
      restlessHost,
      cluster,
      { units: [{ name: 'a.service', contents: SERVICE }], machines: [{ id: 's1' }, { id: 's2' }] },
      { maxRounds: 5 },
    );
    expect(result).toMatchObject({
      settled: false,
      message:
        'the plan did not settle: placements still changed after 5 rounds (plugins that keep moving units?); units are shown where the last round left them',
    });
    expect(result.units).toHaveLength(1);
  });

  it('leaves settled out of a plan that settled', () => {
    expect(planUnits(host, cluster, { units: [{ name: 'a.service', contents: SERVICE }] })).not.toHaveProperty('settled');
  });

  it.each([
    {
      name: 'a template to launch',
      units: [{ name: 'web@.service', contents: SERVICE }],
      code: ErrorCodes.UNIT_TEMPLATE_NOT_RUNNABLE,
      message: 'web@.service: a template unit can only be submitted; load or start an instance such as web@1.service',
    },
    {
      name: 'an unknown unit without contents',
      units: [{ name: 'nope.service' }],
      code: ErrorCodes.UNIT_NOT_FOUND,
      message: 'unit nope.service is not submitted; give its contents or options to plan it',
    },
    {
      name: 'contents and options',
      units: [{ name: 'a.service', contents: SERVICE, options: [] }],
      code: ErrorCodes.UNIT_INVALID,
      message: 'unit a.service: give its contents or its options, not both',
    },
    {
      name: 'the same unit twice',
      units: [
        { name: 'a.service', contents: SERVICE },
        { name: 'a.service', contents: SERVICE },
      ],
      code: ErrorCodes.SNAPSHOT_INVALID,
      message: 'plan lists unit a.service twice',
    },
    {
      name: 'a syntax error',
      units: [{ name: 'a.service', contents: '[Service]\nExecStart\n' }],
      code: ErrorCodes.UNIT_FILE_SYNTAX,
      message: expect.stringContaining('a.service'),
    },
  ])('refuses $name, naming the unit', ({ units, code, message }) => {
    expect(() => planUnits(host, cluster, { units })).toThrow(expect.objectContaining({ code, message }));
  });
});

describe('checkPlanSize (API plans only)', () => {
  const request = (units: number, machines?: number) => ({
    units: Array.from({ length: units }, (_, index) => ({ name: `u${index}.service` })),
    ...(machines === undefined ? {} : { machines: Array.from({ length: machines }, (_, index) => ({ id: `m${index}` })) }),
  });

  it.each([
    { name: 'simulated machines at the cap', units: 1000, machines: 1000, live: 5 },
    { name: 'the live cluster at the cap', units: 100, machines: undefined, live: 10_000 },
  ])('accepts $name', ({ units, machines, live }) => {
    expect(() => checkPlanSize(request(units, machines), live)).not.toThrow();
  });

  it.each([
    { name: 'simulated machines', units: 1001, machines: 1000, live: 5, decisions: 1_001_000, counted: 1000 },
    { name: 'the live cluster', units: 101, machines: undefined, live: 10_000, decisions: 1_010_000, counted: 10_000 },
  ])('refuses one unit over the cap on $name', ({ units, machines, live, decisions, counted }) => {
    expect(() => checkPlanSize(request(units, machines), live)).toThrow(
      expect.objectContaining({
        code: ErrorCodes.PLAN_TOO_LARGE,
        message: `plan of ${units} units on ${counted} machines asks for ${decisions} unit-machine decisions, at most ${MAX_PLAN_DECISIONS}; plan fewer units at a time`,
      }),
    );
  });
});
