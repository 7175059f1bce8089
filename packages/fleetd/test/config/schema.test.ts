import { describe, expect, it } from 'vitest';
import { definePlugin, ErrorCodes } from '@fleetd/core';
import { defineConfig, parseMetadataString, validateConfig } from '../../src/config/index.js';
import { fleetError } from './helpers.js';

const plugin = definePlugin({ meta: { name: 'inline', version: '1.0.0', core: '*' }, apply: () => {} });

describe('validateConfig (in-memory configs, as defineConfig gives them)', () => {
  it('accepts a full config with every plugin spec form', () => {
    const config = defineConfig({
      etcd: { endpoints: ['https://10.0.0.1:2379'], keyPrefix: '/f/', tls: { ca: '/ca.pem' }, username: 'u', password: 'p', requestTimeoutMs: 500 },
      machine: { id: 'm-1', idFile: '/id', metadata: { region: 'us-east', 'disk.type': 'ssd' }, publicIP: '10.0.0.9' },
      agent: { enabled: true, ttlSeconds: 1, unitsDirectory: '/u', busAddress: 'unix:path=/bus', stopAfterDisconnect: '1min 30s' },
      engine: { enabled: true, reconcileIntervalMs: 100, leaseTtlSeconds: 2 },
      dataDir: '/var/lib/x',
      api: {
        socket: false,
        socketMode: '0600',
        socketGroup: 'fleet',
        tcp: { port: 8440, tls: { cert: '/c', key: '/k', ca: '/ca' }, maxConnections: 10, maxConnectionsPerClient: 2 },
        pageSize: 10,
        bodyLimitBytes: 10,
        headersTimeoutMs: 1,
        requestTimeoutMs: 2,
        keepAliveTimeoutMs: 3,
      },
      log: { level: 'trace' },
      hookTimeoutMs: 5,
      plugins: ['pkg', './p.js', plugin, ['pkg', { a: 1 }], [plugin], { plugin: 'pkg', options: {}, weight: 0 }, { plugin, weight: 2.5 }],
    });
    expect(validateConfig(config)).toEqual(config);
  });

  it.each([
    { name: 'config that is not an object', input: 'etcd', lines: ['(root): must be an object, got "etcd"'] },
    { name: 'etcd without endpoints', input: { etcd: {} }, lines: ['etcd.endpoints: is required'] },
    {
      name: 'machine ID with a slash',
      input: { machine: { id: 'a/b' } },
      lines: ['machine.id: must be 1-128 characters of [A-Za-z0-9._-], starting with a letter or digit, got "a/b"'],
    },
    {
      name: 'metadata object with a bad key and a non-string value',
      input: { machine: { metadata: { 'a b': 'x', k: 3 } } },
      lines: ['machine.metadata: key "a b": keys must be 1-128 characters of [A-Za-z0-9_.-]', 'machine.metadata.k: must be a string, got 3'],
    },
    {
      name: 'metadata of the wrong type',
      input: { machine: { metadata: 3 } },
      lines: ['machine.metadata: must be an object of key: value, or a "key=value,key2=value2" string, got 3'],
    },
    { name: 'socket neither path nor false', input: { api: { socket: true } }, lines: ['api.socket: must be a socket path, or false for no socket, got true'] },
    {
      name: 'stopAfterDisconnect that is no time span',
      input: { agent: { stopAfterDisconnect: 'soon' } },
      lines: [
        'agent.stopAfterDisconnect: must be a time span such as "20s" or "off": "soon" is not a time span: use one such as 90s, 2min or 1h30min (units ms, s, min, h, d), or off',
      ],
    },
    {
      name: 'stopAfterDisconnect as a number',
      input: { agent: { stopAfterDisconnect: 90 } },
      lines: ['agent.stopAfterDisconnect: must be a time span such as "20s" or "off", got 90'],
    },
    {
      name: 'tcp with a bad port and no auth: both reported',
      input: { api: { tcp: { port: 70000 } } },
      lines: [
        'api.tcp.port: must be a port number from 1 to 65535, got 70000',
        'api.tcp: a TCP listener requires token, tokenFile or tls.ca (client certificates): without them anyone who reaches the port controls the cluster; set api.tcp.allowUnauthenticated: true only if something else guards the port',
      ],
    },
    { name: 'tcp TLS without key', input: { api: { tcp: { port: 1, tls: { cert: '/c', ca: '/ca' } } } }, lines: ['api.tcp.tls.key: is required'] },
    {
      name: 'a header timeout longer than the request timeout',
      input: { api: { headersTimeoutMs: 70000 } },
      lines: ['api.headersTimeoutMs: must not exceed api.requestTimeoutMs (60000), got 70000'],
    },
    {
      name: 'connection caps and timeouts that are not positive',
      input: { api: { keepAliveTimeoutMs: 0, tcp: { port: 1, token: 't', maxConnections: 0, maxConnectionsPerClient: 1.5 } } },
      lines: [
        'api.tcp.maxConnections: must be a positive integer, got 0',
        'api.tcp.maxConnectionsPerClient: must be a positive integer, got 1.5',
        'api.keepAliveTimeoutMs: must be a positive integer, got 0',
      ],
    },
    {
      name: 'allowUnauthenticated not a boolean',
      input: { api: { tcp: { port: 1, allowUnauthenticated: 'yes' } } },
      lines: [
        'api.tcp.allowUnauthenticated: must be true or false, got "yes"',
        'api.tcp: a TCP listener requires token, tokenFile or tls.ca (client certificates): without them anyone who reaches the port controls the cluster; set api.tcp.allowUnauthenticated: true only if something else guards the port',
      ],
    },
    { name: 'agent TTL of zero', input: { agent: { ttlSeconds: 0 } }, lines: ['agent.ttlSeconds: must be a positive integer, got 0'] },
    {
      name: 'plugin spec shapes',
      input: { plugins: ['', [], [3], { plugin: 'p', weight: Number.NaN, option: {} }, { meta: 1 }] },
      lines: [
        'plugins[0]: must be a non-empty package name or path',
        'plugins[1]: [plugin, options] takes 1 or 2 items, got 0',
        'plugins[2][0]: must be a package name, a path or a plugin object, got 3',
        'plugins[3].weight: must be a finite number >= 0, got NaN',
        'plugins[3].option: unknown option',
        'plugins[4]: must be a package name, a path, a plugin object, [plugin, options] or { plugin, options, weight }, got {"meta":1}',
      ],
    },
    { name: 'plugins not a list', input: { plugins: 'zone' }, lines: ['plugins: must be a list of plugins, got "zone"'] },
    { name: 'top-level typo', input: { hookTimeout: 1 }, lines: ['hookTimeout: unknown option (did you mean "hookTimeoutMs"?)'] },
  ])('$name', async ({ input, lines }) => {
    const error = await fleetError(() => validateConfig(input));
    expect(error.code).toBe(ErrorCodes.CONFIG_INVALID);
    expect(error.message).toBe(`invalid configuration in the configuration object:\n  ${lines.join('\n  ')}`);
  });
});

describe("fleet's metadata string", () => {
  it.each([
    { text: 'region=us-east,disk=ssd', metadata: { region: 'us-east', disk: 'ssd' } },
    { text: ' region = us-east , ,disk=', metadata: { region: 'us-east', disk: '' } },
    { text: '', metadata: {} },
    { text: 'url=http://x?a=b', metadata: { url: 'http://x?a=b' } },
  ])('parses "$text"', ({ text, metadata }) => {
    expect(parseMetadataString(text)).toEqual({ ok: true, metadata });
  });

  it('names every bad pair', () => {
    expect(parseMetadataString('=x,region,__proto__=y,ok=1')).toEqual({
      ok: false,
      problems: [
        'bad pair "=x": expected key=value',
        'bad pair "region": expected key=value',
        'bad pair "__proto__=y": keys must be 1-128 characters of [A-Za-z0-9_.-]',
      ],
    });
  });
});
