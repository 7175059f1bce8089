import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '@fleetd/core';
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
  ])('accepts $name', ({ raw, expected }) => {
    expect(parseEndpoint(raw)).toMatchObject(expected);
  });

  it.each([
    { name: 'empty', raw: '', message: '--endpoint "": it is empty' },
    { name: 'a relative path', raw: 'run/fleetd.sock', message: '--endpoint "run/fleetd.sock": use a socket path (/run/fleetd/fleetd.sock), unix:///path or http(s)://host:port' },
    { name: 'host:port without scheme', raw: '10.0.0.1:8080', message: '--endpoint "10.0.0.1:8080": use a socket path (/run/fleetd/fleetd.sock), unix:///path or http(s)://host:port' },
    { name: 'unix:// missing the third slash', raw: 'unix://var/run/fleet.sock', message: '--endpoint "unix://var/run/fleet.sock": a unix socket URL needs an absolute path (unix:///path), not host "var"' },
    { name: 'an etcd-style scheme', raw: 'etcd://10.0.0.1:2379', message: '--endpoint "etcd://10.0.0.1:2379": unsupported scheme "etcd" (use unix, http or https)' },
    { name: 'a query string', raw: 'http://h:1/?x=1', message: '--endpoint "http://h:1/?x=1": the URL must not have a query or fragment' },
    { name: 'a broken port', raw: 'http://h:99999', message: '--endpoint "http://h:99999": it is not a valid URL' },
  ])('refuses $name', ({ raw, message }) => {
    expectFleetError(() => parseEndpoint(raw), ErrorCodes.CLI_USAGE, message);
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
    { name: 'a 401 adds how to pass the token', status: 401, text: '{"error":{"code":401,"message":"unauthorized"}}', expected: 'unauthorized (pass the API token with --token or FLEETCTL_TOKEN)' },
    { name: 'a proxy page', status: 502, text: 'Bad Gateway\n', expected: 'the daemon answered HTTP 502: Bad Gateway' },
    { name: 'an empty body', status: 500, text: '', expected: 'the daemon answered HTTP 500' },
    { name: 'JSON without error', status: 400, text: '{"oops":1}', expected: 'the daemon answered HTTP 400: {"oops":1}' },
  ])('$name', ({ status, text, expected }) => {
    expect(errorMessage(status, text)).toBe(expected);
  });
});
