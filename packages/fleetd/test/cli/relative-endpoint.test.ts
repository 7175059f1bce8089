/**
 * Issue 17: `fleetctl --endpoint ./fleetd.sock` (and FLEETCTL_ENDPOINT) names
 * a socket relative to the working directory. The built fleetctl against a
 * real fleetd, run from the socket's directory and from below it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFleetctl, startFleetd } from '../../src/testing/index.js';
import type { FleetdProcess } from '../../src/testing/index.js';

let fleetd: FleetdProcess;
let below: string;

beforeAll(async () => {
  fleetd = await startFleetd({ name: 'relative-endpoint', config: { machine: { id: 'relative-1' }, agent: { enabled: false } } });
  below = join(fleetd.dir, 'units');
  mkdirSync(below);
  writeFileSync(join(below, 'hello.service'), '[Service]\nExecStart=/bin/sleep 1000\n');
  const submitted = await runFleetctl(['submit', 'hello.service'], { endpoint: fleetd.socketPath, cwd: below });
  expect(submitted).toMatchObject({ code: 0, stderr: '' });
});
afterAll(async () => {
  await fleetd?.remove();
});

describe('a relative socket path', () => {
  it.each([
    { name: '--endpoint ./fleetd.sock', args: ['--endpoint', './fleetd.sock'], env: {}, from: 'dir' },
    { name: '--endpoint fleetd.sock (no ./)', args: ['--endpoint', 'fleetd.sock'], env: {}, from: 'dir' },
    { name: '--endpoint ../fleetd.sock from a subdirectory', args: ['--endpoint', '../fleetd.sock'], env: {}, from: 'below' },
    { name: 'FLEETCTL_ENDPOINT=./fleetd.sock', args: [], env: { FLEETCTL_ENDPOINT: './fleetd.sock' }, from: 'dir' },
  ])('$name reaches fleetd', async ({ args, env, from }) => {
    const listed = await runFleetctl([...args, 'list-unit-files', '--no-legend', '--fields', 'unit'], { env, cwd: from === 'dir' ? fleetd.dir : below });
    expect(listed).toEqual({ code: 0, stdout: 'hello.service\n', stderr: '' });
  });

  it('one that is not there is named by its absolute path', async () => {
    const result = await runFleetctl(['--endpoint', './nothing.sock', 'list-units'], { cwd: below });
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `fleetctl: cannot reach fleetd at ${join(below, 'nothing.sock')}: connect ENOENT (is fleetd running? --endpoint or FLEETCTL_ENDPOINT says where to look)\n`,
    });
  });
});
