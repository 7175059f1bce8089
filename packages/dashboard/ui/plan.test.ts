import { describe, expect, it } from 'vitest';
import { explainRows, formatScore, winningMachine } from './explain.js';
import { movedRows, planInputProblem, planRows } from './plan.js';
import type { WireExplanation } from './wire.js';

describe('planRows', () => {
  it.each([
    { name: 'a placed unit', planned: { unit: 'web.service', machine: 'alpha' }, row: { unit: 'web.service', machine: 'alpha', reason: '', placed: true } },
    {
      name: 'a unit that would move',
      planned: { unit: 'web.service', machine: 'beta', previousMachine: 'alpha' },
      row: { unit: 'web.service', machine: 'beta', reason: 'moves from alpha', placed: true },
    },
    {
      name: 'a unit that stays',
      planned: { unit: 'web.service', machine: 'alpha', previousMachine: 'alpha' },
      row: { unit: 'web.service', machine: 'alpha', reason: '', placed: true },
    },
    {
      name: 'a global unit',
      planned: { unit: 'logs.service', machines: ['alpha', 'beta', 'gamma'] },
      row: { unit: 'logs.service', machine: 'alpha, beta, gamma', reason: '', placed: true },
    },
    {
      name: 'an unschedulable unit',
      planned: { unit: 'db.service', summary: '0/3 machines available: 3 metadata disk=ssd not matched', rejections: [] },
      row: { unit: 'db.service', machine: '', reason: '0/3 machines available: 3 metadata disk=ssd not matched', placed: false },
    },
    {
      name: 'a global unit no machine matches',
      planned: { unit: 'logs.service', machines: [], summary: '0/3 machines available' },
      row: { unit: 'logs.service', machine: '', reason: '0/3 machines available', placed: false },
    },
    {
      name: 'no machine and no summary',
      planned: { unit: 'x.service' },
      row: { unit: 'x.service', machine: '', reason: 'no machine can take it', placed: false },
    },
  ])('$name', ({ planned, row }) => {
    expect(planRows({ units: [planned], moved: [] })).toEqual([row]);
  });

  it('lists the moved units, "to" empty when nowhere', () => {
    const moved = [
      { unit: 'a.service', from: 'alpha', to: 'beta' },
      { unit: 'b.service', from: 'beta' },
    ];
    expect(movedRows({ units: [], moved })).toEqual([
      { unit: 'a.service', from: 'alpha', to: 'beta' },
      { unit: 'b.service', from: 'beta', to: '' },
    ]);
  });

  it.each([
    {
      name: 'a pasted file without a name',
      pasted: true,
      unitName: ' ',
      uploaded: 0,
      problem: 'Give the pasted unit file a name (Unit name), e.g. web.service.',
    },
    { name: 'nothing at all', pasted: false, unitName: 'web.service', uploaded: 0, problem: 'Paste a unit file (with its name) or upload unit files to plan.' },
    { name: 'a pasted file with its name', pasted: true, unitName: 'web.service', uploaded: 0, problem: undefined },
    { name: 'uploads only', pasted: false, unitName: '', uploaded: 2, problem: undefined },
  ])('planInputProblem: $name', ({ pasted, unitName, uploaded, problem }) => {
    expect(planInputProblem(pasted, unitName, uploaded)).toBe(problem);
  });
});

const explanation: WireExplanation = {
  unit: 'web.service',
  placedOn: 'beta',
  bestMachine: 'alpha',
  summary: '2/3 machines available: 1 metadata zone=x not matched',
  desiredState: 'launched',
  machines: [
    { machine: 'alpha', feasible: true, verdicts: [{ plugin: 'metadata', verdict: 'pass' }], total: 2.5, scores: { 'least-loaded': 2.5 } },
    { machine: 'beta', feasible: true, verdicts: [{ plugin: 'metadata', verdict: 'pass' }], total: 2, scores: { 'least-loaded': 2 } },
    { machine: 'gamma', feasible: false, verdicts: [{ plugin: 'metadata', verdict: 'filter', message: 'zone=x not matched' }], scores: {} },
  ],
};

describe('explainRows', () => {
  it('gives a row per machine × plugin, scores and totals, the placed machine marked as the winner', () => {
    expect(explainRows(explanation).map((row) => [row.machine, row.plugin, row.verdict, row.score, row.reason, row.chosen, row.placedHere, row.first])).toEqual(
      [
        ['alpha', 'metadata', 'pass', '', '', false, false, true],
        ['alpha', 'least-loaded', '', '2.50', '', false, false, false],
        ['alpha', 'total', '', '2.50', '', false, false, false],
        ['beta', 'metadata', 'pass', '', '', true, true, true],
        ['beta', 'least-loaded', '', '2', '', true, true, false],
        ['beta', 'total', '', '2', '', true, true, false],
        ['gamma', 'metadata', 'rejected', '', 'zone=x not matched', false, false, true],
      ],
    );
  });

  it.each([
    { name: 'placed: where it is', placedOn: 'beta', bestMachine: 'alpha', winner: 'beta' },
    { name: 'not placed: where it would go', placedOn: undefined, bestMachine: 'alpha', winner: 'alpha' },
    { name: 'nowhere', placedOn: undefined, bestMachine: undefined, winner: undefined },
  ])('winningMachine: $name', ({ placedOn, bestMachine, winner }) => {
    const { placedOn: _placed, bestMachine: _best, ...rest } = explanation;
    const subject: WireExplanation = { ...rest, ...(placedOn === undefined ? {} : { placedOn }), ...(bestMachine === undefined ? {} : { bestMachine }) };
    expect(winningMachine(subject)).toBe(winner);
    expect(
      explainRows(subject)
        .filter((row) => row.chosen)
        .map((row) => row.machine),
    ).toEqual(winner === undefined ? [] : [winner, winner, winner]);
  });

  it.each([
    { name: 'an excluded machine', verdict: { plugin: 'machine-id', verdict: 'narrow', message: 'not machine 1' }, text: 'excluded' },
    { name: 'a plugin that threw', verdict: { plugin: 'resources', verdict: 'error', message: 'boom' }, text: 'error' },
  ] as const)('names the verdict of $name', ({ verdict, text }) => {
    const rows = explainRows({ ...explanation, machines: [{ machine: 'delta', feasible: false, verdicts: [verdict], scores: {} }] });
    expect(rows).toEqual([expect.objectContaining({ verdict: text, reason: verdict.message, plugin: verdict.plugin })]);
  });

  it('still shows a machine no plugin said anything about', () => {
    const rows = explainRows({ ...explanation, machines: [{ machine: 'delta', feasible: true, verdicts: [], scores: {} }] });
    expect(rows).toEqual([expect.objectContaining({ machine: 'delta', plugin: '', verdict: 'pass', first: true })]);
  });

  it.each([
    { points: undefined, text: '' },
    { points: 3, text: '3' },
    { points: 1 / 3, text: '0.33' },
    { points: -2, text: '-2' },
  ])('formatScore($points) is "$text"', ({ points, text }) => {
    expect(formatScore(points)).toBe(text);
  });
});
