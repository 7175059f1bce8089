import { describe, expect, it } from 'vitest';
import { createUnit } from '../index.js';
import { planAgentTasks } from '../unstable.js';
import type { AgentUnit, DriverUnitState } from '../index.js';
import { reviewLaunched } from './tasks.js';

const agentUnit = (name: string, desiredState: 'loaded' | 'launched', command = '/bin/true'): AgentUnit => {
  const unit = createUnit({ name, contents: `[Service]\nExecStart=${command}\n` });
  return { name, hash: unit.hash, file: unit.file, desiredState };
};
const state = (name: string, activeState: string): DriverUnitState => ({
  name,
  loadState: 'loaded',
  activeState,
  subState: activeState === 'active' ? 'running' : 'dead',
});
const notFound = (name: string): DriverUnitState => ({ name, loadState: 'not-found', activeState: 'inactive', subState: 'dead' });
const describeTasks = (tasks: ReturnType<typeof planAgentTasks>) =>
  tasks.map((task) => (task.type === 'reload' ? 'reload' : `${task.type} ${typeof task.unit === 'string' ? task.unit : task.unit.name}`));

describe('agent task planning', () => {
  const a = agentUnit('a.service', 'launched');
  const b = agentUnit('b.service', 'loaded');
  const a2 = agentUnit('a.service', 'launched', '/bin/sleep 1');
  const installable = (() => {
    const unit = createUnit({ name: 'i.service', contents: '[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=default.target\n' });
    return { name: 'i.service', hash: unit.hash, file: unit.file, desiredState: 'launched' as const };
  })();

  it.each([
    { name: 'nothing to do', desired: [a], installed: [[a.name, a.hash]], states: [state('a.service', 'active')], tasks: [] },
    { name: 'a new launched unit: load, reload, start', desired: [a], installed: [], states: [], tasks: ['load a.service', 'reload', 'start a.service'] },
    { name: 'a new loaded unit is not started', desired: [b], installed: [], states: [], tasks: ['load b.service', 'reload'] },
    {
      name: 'a unit no longer placed here: unload, reload',
      desired: [],
      installed: [[a.name, a.hash]],
      states: [state('a.service', 'active')],
      tasks: ['unload a.service', 'reload'],
    },
    {
      name: 'launched by this agent, then set to loaded: stop, no reload',
      desired: [b],
      installed: [[b.name, b.hash]],
      states: [state('b.service', 'active')],
      launched: [b.name],
      tasks: ['stop b.service'],
    },
    {
      name: 'regression: a loaded unit systemd started on its own is not stopped',
      desired: [b],
      installed: [[b.name, b.hash]],
      states: [state('b.service', 'active')],
      tasks: [],
    },
    {
      name: 'a loaded unit systemd is starting on its own (a socket, a timer) is not stopped',
      desired: [b],
      installed: [[b.name, b.hash]],
      states: [state('b.service', 'activating')],
      tasks: [],
    },
    {
      name: 'launched by this agent, set to loaded, already inactive: nothing to stop',
      desired: [b],
      installed: [[b.name, b.hash]],
      states: [state('b.service', 'inactive')],
      launched: [b.name],
      tasks: [],
    },
    {
      name: 'a replaced unit set to loaded that systemd runs on its own: unload (which stops it), load, no start',
      desired: [agentUnit('b.service', 'loaded', '/bin/sleep 1')],
      installed: [[b.name, b.hash]],
      states: [state('b.service', 'active')],
      tasks: ['unload b.service', 'load b.service', 'reload'],
    },
    {
      name: 'a stopped launched unit is started again',
      desired: [a],
      installed: [[a.name, a.hash]],
      states: [state('a.service', 'failed')],
      tasks: ['start a.service'],
    },
    {
      name: 'replaced contents: unload, load, reload, start',
      desired: [a2],
      installed: [[a.name, a.hash]],
      states: [state('a.service', 'active')],
      tasks: ['unload a.service', 'load a.service', 'reload', 'start a.service'],
    },
    {
      name: "fleet's order across units: unload, load, reload, stop, start",
      desired: [agentUnit('c.service', 'launched'), b],
      installed: [
        [a.name, a.hash],
        [b.name, b.hash],
      ],
      states: [state('a.service', 'active'), state('b.service', 'active')],
      launched: [b.name],
      tasks: ['unload a.service', 'load c.service', 'reload', 'stop b.service', 'start c.service'],
    },
    {
      name: 'a new unit systemd has no definition of (not-found): load and start, no reload',
      desired: [a, b],
      installed: [],
      states: [notFound('a.service'), notFound('b.service')],
      tasks: ['load a.service', 'load b.service', 'start a.service'],
    },
    {
      name: 'a new unit systemd still has an older definition of: reload',
      desired: [a],
      installed: [],
      states: [state('a.service', 'inactive')],
      tasks: ['load a.service', 'reload', 'start a.service'],
    },
    {
      name: 'a new unit with [Install] (its links change loaded targets): reload',
      desired: [installable],
      installed: [],
      states: [notFound('i.service')],
      tasks: ['load i.service', 'reload', 'start i.service'],
    },
    {
      name: 'regression: an installed unit systemd lost (not-found, its link gone) is linked again and started',
      desired: [a],
      installed: [[a.name, a.hash]],
      states: [notFound('a.service')],
      tasks: ['load a.service', 'start a.service'],
    },
    {
      name: 'an installed loaded-only unit systemd lost is linked again, not started',
      desired: [b],
      installed: [[b.name, b.hash]],
      states: [notFound('b.service')],
      tasks: ['load b.service'],
    },
    {
      name: 'a lost unit this agent had started is started again: what systemd ran went with it',
      desired: [a],
      installed: [[a.name, a.hash]],
      states: [notFound('a.service')],
      started: [[a.name, a.hash]],
      tasks: ['load a.service', 'start a.service'],
    },
    {
      name: 'a lost unit with [Install] is linked again, with a reload for its links',
      desired: [installable],
      installed: [[installable.name, installable.hash]],
      states: [notFound('i.service')],
      tasks: ['load i.service', 'reload', 'start i.service'],
    },
    {
      name: 'a lost unit no longer placed here is unloaded',
      desired: [],
      installed: [[a.name, a.hash]],
      states: [notFound('a.service')],
      tasks: ['unload a.service', 'reload'],
    },
    {
      name: 'a oneshot that finished after this agent started it is not started again',
      desired: [a],
      installed: [[a.name, a.hash]],
      states: [state('a.service', 'inactive')],
      started: [[a.name, a.hash]],
      tasks: [],
    },
    {
      name: 'a unit that failed after this agent started it is started again',
      desired: [a],
      installed: [[a.name, a.hash]],
      states: [state('a.service', 'failed')],
      started: [[a.name, a.hash]],
      tasks: ['start a.service'],
    },
  ])('$name', ({ desired, installed, states, tasks, started, launched }) => {
    const plan = planAgentTasks(
      new Map(desired.map((unit) => [unit.name, unit])),
      new Map(installed as [string, string][]),
      new Map(states.map((s) => [s.name, s])),
      new Map((started ?? []) as [string, string][]),
      new Set(launched ?? []),
    );
    expect(describeTasks(plan)).toEqual(tasks);
  });
});

describe('which runs the agent owns (reviewLaunched)', () => {
  const up = agentUnit('up.service', 'launched');
  const held = agentUnit('held.service', 'loaded');
  const upNew = agentUnit('up.service', 'launched', '/bin/sleep 1');

  it.each([
    {
      name: 'desired launched and running: adopted (after a restart or a reconnect)',
      desired: [up],
      installed: [up],
      states: [state('up.service', 'active')],
      launched: [],
      adopted: ['up.service'],
      ended: [],
    },
    {
      name: 'desired launched and activating (a start in flight): adopted',
      desired: [up],
      installed: [up],
      states: [state('up.service', 'activating')],
      launched: [],
      adopted: ['up.service'],
      ended: [],
    },
    {
      name: 'already launched: nothing new',
      desired: [up],
      installed: [up],
      states: [state('up.service', 'active')],
      launched: ['up.service'],
      adopted: [],
      ended: [],
    },
    {
      name: 'desired loaded and running: not adopted (systemd started it on its own)',
      desired: [held],
      installed: [held],
      states: [state('held.service', 'active')],
      launched: [],
      adopted: [],
      ended: [],
    },
    {
      name: 'desired launched, not running: nothing to adopt',
      desired: [up],
      installed: [up],
      states: [state('up.service', 'failed')],
      launched: [],
      adopted: [],
      ended: [],
    },
    {
      name: 'running an older version (about to be replaced): not adopted',
      desired: [upNew],
      installed: [up],
      states: [state('up.service', 'active')],
      launched: [],
      adopted: [],
      ended: [],
    },
    { name: 'not installed yet: not adopted', desired: [up], installed: [], states: [state('up.service', 'active')], launched: [], adopted: [], ended: [] },
    {
      name: 'launched, set to loaded, still running: kept, to be stopped',
      desired: [held],
      installed: [held],
      states: [state('held.service', 'active')],
      launched: ['held.service'],
      adopted: [],
      ended: [],
    },
    {
      name: "launched, set to loaded, no longer running: forgotten, a later start is not the agent's",
      desired: [held],
      installed: [held],
      states: [state('held.service', 'inactive')],
      launched: ['held.service'],
      adopted: [],
      ended: ['held.service'],
    },
    {
      name: 'a oneshot this agent launched that finished, still desired launched: kept',
      desired: [up],
      installed: [up],
      states: [state('up.service', 'inactive')],
      launched: ['up.service'],
      adopted: [],
      ended: [],
    },
    {
      name: 'launched, no longer placed here and not running: forgotten',
      desired: [],
      installed: [up],
      states: [state('up.service', 'inactive')],
      launched: ['up.service'],
      adopted: [],
      ended: ['up.service'],
    },
  ])('$name', ({ desired, installed, states, launched, adopted, ended }) => {
    const review = reviewLaunched(
      new Map(desired.map((unit) => [unit.name, unit])),
      new Map(installed.map((unit) => [unit.name, unit.hash])),
      new Map(states.map((s) => [s.name, s])),
      new Set(launched),
    );
    expect({ adopted: review.adopted.map((unit) => unit.name), ended: review.ended }).toEqual({ adopted, ended });
  });
});
