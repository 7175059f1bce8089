import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '@fleetd/core';
import { endpointPlaces, findDefaultEndpoint, socketIsThere } from '../../src/cli/default-endpoint.js';
import { parseEndpoint } from '../../src/cli/endpoint.js';
import { parseTimeout } from '../../src/cli/session.js';
import { errorMessage } from '../../src/cli/client.js';
import { expectFleetError } from './helpers.js';

describe('parseEndpoint', () => {
  it.each([
    { name: 'a socket path', raw: '/run/fleetd/fleetd.sock', expected: { kind: 'unix', socketPath: '/run/fleetd/fleetd.sock' } },
    { name: 'unix:///path', raw: 'unix:///var/run/fleet.sock', expected: { kind: 'unix', socketPath: '/var/run/fleet.sock' } },
    { name: 'file:///path (fleet accepted it too)', raw: 'file:///tmp/f.sock', expected: { kind: 'unix', socketPath: '/tmp/f.sock' } },
    { name: 'surrounding blanks', raw: '  /tmp/x.sock ', expected: { kind: 'unix', socketPath: '/tmp/x.sock' } },
    { name: 'http with a port', raw: 'http://10.0.0.1:8080', expected: { kind: 'http', display: 'http://10.0.0.1:8080' } },
    { name: 'https, scheme in capitals', raw: 'HTTPS://fleet.example.com:4443', expected: { kind: 'https', display: 'https://fleet.example.com:4443' } },
    { name: 'http with a base path', raw: 'http://proxy:80/fleetd/', expected: { kind: 'http', display: 'http://proxy/fleetd' } },
    {
      name: 'a relative path with ./ (against the working directory)',
      raw: './fleetd.sock',
      expected: { kind: 'unix', socketPath: '/srv/dev/fleetd.sock', display: '/srv/dev/fleetd.sock' },
    },
    { name: 'a bare file name', raw: 'fleetd.sock', expected: { kind: 'unix', socketPath: '/srv/dev/fleetd.sock', display: '/srv/dev/fleetd.sock' } },
    { name: 'a relative path up and down', raw: '../run/fleetd.sock', expected: { kind: 'unix', socketPath: '/srv/run/fleetd.sock' } },
    { name: 'a file name with a colon, made a path with ./', raw: './10.0.0.1:8080', expected: { kind: 'unix', socketPath: '/srv/dev/10.0.0.1:8080' } },
  ])('accepts $name', ({ raw, expected }) => {
    expect(parseEndpoint(raw, '/srv/dev')).toMatchObject(expected);
  });

  it.each([
    { name: 'empty', raw: '', message: '--endpoint "": it is empty' },
    {
      name: 'host:port without scheme',
      raw: '10.0.0.1:8080',
      message:
        '--endpoint "10.0.0.1:8080": a host and port need their scheme: http://10.0.0.1:8080 or https://10.0.0.1:8080 (a socket file of that name: ./10.0.0.1:8080)',
    },
    {
      name: 'a host name and port without scheme',
      raw: 'localhost:8440',
      message:
        '--endpoint "localhost:8440": a host and port need their scheme: http://localhost:8440 or https://localhost:8440 (a socket file of that name: ./localhost:8440)',
    },
    {
      name: 'an IPv6 address and port without scheme',
      raw: '[::1]:8440',
      message: '--endpoint "[::1]:8440": a host and port need their scheme: http://[::1]:8440 or https://[::1]:8440 (a socket file of that name: ./[::1]:8440)',
    },
    {
      name: 'a scheme without its slashes',
      raw: 'unix:/run/fleetd.sock',
      message: '--endpoint "unix:/run/fleetd.sock": use a socket path (/run/fleetd/fleetd.sock, ./fleetd.sock), unix:///path or http(s)://host:port',
    },
    {
      name: 'unix:// missing the third slash',
      raw: 'unix://var/run/fleet.sock',
      message: '--endpoint "unix://var/run/fleet.sock": a unix socket URL needs an absolute path (unix:///path), not host "var"',
    },
    {
      name: 'an etcd-style scheme',
      raw: 'etcd://10.0.0.1:2379',
      message: '--endpoint "etcd://10.0.0.1:2379": unsupported scheme "etcd" (use unix, http or https)',
    },
    { name: 'a query string', raw: 'http://h:1/?x=1', message: '--endpoint "http://h:1/?x=1": the URL must not have a query or fragment' },
    { name: 'a broken port', raw: 'http://h:99999', message: '--endpoint "http://h:99999": it is not a valid URL' },
  ])('refuses $name', ({ raw, message }) => {
    expectFleetError(() => parseEndpoint(raw), ErrorCodes.CLI_USAGE, message);
  });
});

describe("the default endpoint: the first socket there of fleetd's, a --systemd-user fleetd's, fleetd dev's", () => {
  const user = { XDG_RUNTIME_DIR: '/run/user/1000' };
  it.each([
    {
      name: 'a user: all three, in order',
      env: user,
      uid: 1000,
      places: ['/run/fleetd/fleetd.sock', '/run/user/1000/fleetd/fleetd.sock', '/run/user/1000/fleetd-dev/fleetd.sock'],
    },
    {
      name: 'root with a runtime directory',
      env: { XDG_RUNTIME_DIR: '/run/user/0' },
      uid: 0,
      places: ['/run/fleetd/fleetd.sock', '/run/user/0/fleetd/fleetd.sock', '/run/fleetd-dev/fleetd.sock'],
    },
    { name: 'root without one (sudo, a container)', env: {}, uid: 0, places: ['/run/fleetd/fleetd.sock', '/run/fleetd-dev/fleetd.sock'] },
    { name: 'a user without XDG_RUNTIME_DIR', env: {}, uid: 1000, places: ['/run/fleetd/fleetd.sock', join(tmpdir(), 'fleetd-dev-1000', 'fleetd.sock')] },
    {
      name: 'a relative XDG_RUNTIME_DIR is ignored',
      env: { XDG_RUNTIME_DIR: 'run' },
      uid: 1000,
      places: ['/run/fleetd/fleetd.sock', join(tmpdir(), 'fleetd-dev-1000', 'fleetd.sock')],
    },
  ])('looks at: $name', ({ env, uid, places }) => {
    expect(endpointPlaces(env, uid).map((place) => place.socketPath)).toEqual(places);
  });

  it.each([
    {
      name: 'the system fleetd first, whatever else runs',
      present: ['/run/fleetd/fleetd.sock', '/run/user/1000/fleetd/fleetd.sock', '/run/user/1000/fleetd-dev/fleetd.sock'],
      expected: '/run/fleetd/fleetd.sock',
    },
    {
      name: "the user's fleetd before fleetd dev",
      present: ['/run/user/1000/fleetd/fleetd.sock', '/run/user/1000/fleetd-dev/fleetd.sock'],
      expected: '/run/user/1000/fleetd/fleetd.sock',
    },
    { name: 'fleetd dev alone', present: ['/run/user/1000/fleetd-dev/fleetd.sock'], expected: '/run/user/1000/fleetd-dev/fleetd.sock' },
  ])('takes $name', ({ present, expected }) => {
    expect(findDefaultEndpoint({ env: user, uid: 1000, isPresent: (path) => present.includes(path) })).toBe(expected);
  });

  it.each([
    {
      name: 'a user',
      env: user,
      uid: 1000,
      places:
        "/run/fleetd/fleetd.sock (fleetd's default), /run/user/1000/fleetd/fleetd.sock (fleetd --systemd-user) or /run/user/1000/fleetd-dev/fleetd.sock (fleetd dev)",
    },
    {
      name: 'root without a runtime directory',
      env: {},
      uid: 0,
      places: "/run/fleetd/fleetd.sock (fleetd's default) or /run/fleetd-dev/fleetd.sock (fleetd dev)",
    },
  ])('none there ($name): API_UNREACHABLE naming every place and what to do', ({ env, uid, places }) => {
    expectFleetError(
      () => findDefaultEndpoint({ env, uid, isPresent: () => false }),
      ErrorCodes.API_UNREACHABLE,
      `no fleetd found: no socket at ${places}; start fleetd, run a local cluster with \`fleetd dev\`, or say where fleetd listens with --endpoint or FLEETCTL_ENDPOINT`,
    );
  });

  it('by default, a place is there when it holds a socket (not a plain file, not nothing)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetctl-endpoint-'));
    const server = createServer();
    try {
      writeFileSync(join(dir, 'file.sock'), 'not a socket');
      await new Promise<void>((resolve) => server.listen(join(dir, 'real.sock'), resolve));
      expect(['real.sock', 'file.sock', 'missing.sock', 'missing/dir.sock'].map((name) => socketIsThere(join(dir, name)))).toEqual([true, false, false, false]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('parseTimeout', () => {
  it.each([
    { name: 'default', raw: undefined, expected: 3000 },
    { name: 'milliseconds', raw: '250', expected: 250 },
  ])('$name → $expected', ({ raw, expected }) => {
    expect(parseTimeout(raw)).toBe(expected);
  });

  it.each([{ raw: '0' }, { raw: '-5' }, { raw: '1.5' }, { raw: '3s' }, { raw: '' }])('refuses $raw', ({ raw }) => {
    expectFleetError(() => parseTimeout(raw), ErrorCodes.CLI_USAGE, `--request-timeout ${JSON.stringify(raw)}: must be a positive number of milliseconds`);
  });
});

describe('errorMessage', () => {
  it.each([
    { name: "fleet's error body", status: 404, text: '{"error":{"code":404,"message":"unit does not exist"}}', expected: 'unit does not exist' },
    {
      name: 'a 401 adds how to pass the token',
      status: 401,
      text: '{"error":{"code":401,"message":"unauthorized"}}',
      expected: 'unauthorized (pass the API token with --token or FLEETCTL_TOKEN)',
    },
    { name: 'a proxy page', status: 502, text: 'Bad Gateway\n', expected: 'the daemon answered HTTP 502: Bad Gateway' },
    { name: 'an empty body', status: 500, text: '', expected: 'the daemon answered HTTP 500' },
    { name: 'JSON without error', status: 400, text: '{"oops":1}', expected: 'the daemon answered HTTP 400: {"oops":1}' },
  ])('$name', ({ status, text, expected }) => {
    expect(errorMessage(status, text)).toBe(expected);
  });
});
