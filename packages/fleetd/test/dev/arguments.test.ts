/** `fleetd dev`'s arguments: machines, metadata, and the problems a person can type. */
import { describe, expect, it } from 'vitest';
import { parseDevArgs } from '../../src/dev/command.js';
import { devMachines } from '../../src/dev/machines.js';
import { defaultDevDir, devSocketPath } from '../../src/dev/paths.js';

describe('devMachines', () => {
  it.each([
    { name: 'one machine, no metadata', count: 1, metadata: [], expected: [{ id: 'alpha', metadata: {} }] },
    {
      name: 'unscoped metadata goes to every machine',
      count: 2,
      metadata: ['zone=a,disk=ssd'],
      expected: [
        { id: 'alpha', metadata: { zone: 'a', disk: 'ssd' } },
        { id: 'bravo', metadata: { zone: 'a', disk: 'ssd' } },
      ],
    },
    {
      name: 'scoped metadata goes to one machine, later arguments win',
      count: 3,
      metadata: ['zone=a', 'bravo:zone=b', 'charlie:disk=hdd'],
      expected: [
        { id: 'alpha', metadata: { zone: 'a' } },
        { id: 'bravo', metadata: { zone: 'b' } },
        { id: 'charlie', metadata: { zone: 'a', disk: 'hdd' } },
      ],
    },
    { name: 'a value may hold a colon', count: 1, metadata: ['url=http://x'], expected: [{ id: 'alpha', metadata: { url: 'http://x' } }] },
  ])('$name', ({ count, metadata, expected }) => {
    expect(devMachines(count, metadata)).toEqual({ ok: true, machines: expected });
  });

  it('names the 26th machine zulu', () => {
    const result = devMachines(26, []);
    expect(result.ok && result.machines.at(-1)?.id).toBe('zulu');
  });

  it.each([
    { name: 'no machines', count: 0, metadata: [], problem: '--machines: must be a whole number from 1 to 26, got 0' },
    { name: 'too many machines', count: 27, metadata: [], problem: '--machines: must be a whole number from 1 to 26, got 27' },
    { name: 'not a number', count: Number('three'), metadata: [], problem: '--machines: must be a whole number from 1 to 26, got NaN' },
    {
      name: 'a machine that is not in the cluster',
      count: 2,
      metadata: ['charlie:zone=c'],
      problem: '--metadata "charlie:zone=c": no machine charlie (the machines are alpha, bravo)',
    },
    { name: 'a pair without =', count: 1, metadata: ['zone'], problem: '--metadata "zone": bad pair "zone": expected key=value' },
  ])('refuses $name', ({ count, metadata, problem }) => {
    expect(devMachines(count, metadata)).toEqual({ ok: false, problem });
  });
});

const jsonError = (text: string): string => {
  try {
    JSON.parse(text);
    return '';
  } catch (error) {
    return (error as Error).message;
  }
};

describe('parseDevArgs', () => {
  it('defaults to one machine in the fixed directory, logging warnings', () => {
    expect(parseDevArgs([])).toEqual({ args: { machines: 1, metadata: [], dir: defaultDevDir(), store: undefined, logLevel: 'warn', plugins: [] } });
  });

  it('reads every option, and a relative --dir from the working directory', () => {
    const parsed = parseDevArgs([
      '--machines',
      '3',
      '--metadata',
      'zone=a',
      '--metadata',
      'bravo:zone=b',
      '--dir',
      'cluster',
      '--store',
      'etcd',
      '--log-level',
      'info',
      '--plugin',
      '@fleetd/plugin-resources={"enforce":true}',
      '--plugin',
      './zone.js',
    ]);
    expect(parsed).toEqual({
      args: {
        machines: 3,
        metadata: ['zone=a', 'bravo:zone=b'],
        dir: `${process.cwd()}/cluster`,
        store: 'etcd',
        logLevel: 'info',
        plugins: [{ plugin: '@fleetd/plugin-resources', options: { enforce: true } }, `${process.cwd()}/zone.js`],
      },
    });
  });

  it.each([
    { name: 'an unknown option', argv: ['--machine', '3'], text: "fleetd dev: unknown option '--machine' (did you mean --machines?)\n" },
    {
      name: 'an unknown store',
      argv: ['--store', 'redis'],
      text: "fleetd dev: option '--store <store>' argument 'redis' is invalid. Allowed choices are etcd, embedded.\n",
    },
    { name: 'an argument', argv: ['alpha'], text: 'fleetd dev: too many arguments. Expected 0 arguments but got 1.\n' },
    {
      name: 'plugin options that are not JSON',
      argv: ['--plugin', '@fleetd/plugin-resources={enforce:true}'],
      text: `fleetd dev: --plugin @fleetd/plugin-resources: its options after "=" are not JSON (${jsonError('{enforce:true}')})\n`,
    },
    { name: 'plugin options that are a list', argv: ['--plugin', 'x=[1]'], text: 'fleetd dev: --plugin x: its options after "=" must be a JSON object\n' },
  ])('refuses $name with exit status 2', ({ argv, text }) => {
    expect(parseDevArgs(argv)).toEqual({ exit: 2, text });
  });

  it('--help names every option and the docs', () => {
    const parsed = parseDevArgs(['--help']);
    expect(parsed).toMatchObject({ exit: 0 });
    const text = 'text' in parsed ? parsed.text : '';
    for (const option of ['--machines', '--metadata', '--dir', '--store', '--plugin', '--log-level', 'docs/dev.md']) expect(text).toContain(option);
  });
});

describe('the fixed directory fleetctl looks in', () => {
  it.each([
    { name: 'root', env: {}, uid: 0, dir: '/run/fleetd-dev' },
    { name: 'root with a runtime dir still uses /run', env: { XDG_RUNTIME_DIR: '/run/user/0' }, uid: 0, dir: '/run/fleetd-dev' },
    { name: 'a user with a runtime dir', env: { XDG_RUNTIME_DIR: '/run/user/1000' }, uid: 1000, dir: '/run/user/1000/fleetd-dev' },
    { name: 'a user without one', env: {}, uid: 1000, dir: '/tmp/fleetd-dev-1000' },
    { name: 'a user with a relative one (ignored)', env: { XDG_RUNTIME_DIR: 'run' }, uid: 1000, dir: '/tmp/fleetd-dev-1000' },
  ])('$name: $dir', ({ env, uid, dir }) => {
    expect(defaultDevDir(env, uid)).toBe(dir);
    expect(devSocketPath(defaultDevDir(env, uid))).toBe(`${dir}/fleetd.sock`);
  });
});
