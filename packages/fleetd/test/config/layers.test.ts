import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '@fleetd/core';
import { loadConfig, OPTION_TABLE, parseFleetdArgs, readEnvironment } from '../../src/config/index.js';
import { emptyDir, fixture, fleetError, NO_SYSTEM_DIR } from './helpers.js';

describe('FLEETD_* environment variables', () => {
  it.each([
    {
      name: 'comma list of endpoints',
      env: { FLEETD_ETCD_ENDPOINTS: 'http://a:2379, http://b:2379,' },
      path: ['etcd', 'endpoints'],
      value: ['http://a:2379', 'http://b:2379'],
    },
    { name: 'agent TTL in seconds', env: { FLEETD_AGENT_TTL: '45' }, path: ['agent', 'ttlSeconds'], value: 45 },
    { name: 'disable engine', env: { FLEETD_DISABLE_ENGINE: 'true' }, path: ['engine', 'enabled'], value: false },
    { name: 'disable agent off', env: { FLEETD_DISABLE_AGENT: '0' }, path: ['agent', 'enabled'], value: true },
    { name: 'API TCP host:port', env: { FLEETD_API_TCP: '0.0.0.0:8440' }, path: ['api', 'tcp'], value: { host: '0.0.0.0', port: 8440 } },
    { name: 'API TCP IPv6', env: { FLEETD_API_TCP: '[::1]:8440' }, path: ['api', 'tcp'], value: { host: '::1', port: 8440 } },
    { name: 'no API socket', env: { FLEETD_API_SOCKET: 'false' }, path: ['api', 'socket'], value: false },
    { name: 'metadata string', env: { FLEETD_METADATA: 'region=us-east' }, path: ['machine', 'metadata'], value: 'region=us-east' },
  ])('$name', ({ env, path, value }) => {
    const layer = readEnvironment(env);
    expect(layer.overrides).toEqual([{ path, value, origin: { kind: 'env', name: Object.keys(env)[0] } }]);
  });

  it('reports every bad value at once, named by variable', async () => {
    const error = await fleetError(() => readEnvironment({ FLEETD_AGENT_TTL: 'soon', FLEETD_DISABLE_ENGINE: 'maybe', FLEETD_API_TCP: '8440' }));
    expect(error.code).toBe(ErrorCodes.CONFIG_INVALID);
    expect(error.message).toBe(
      'invalid configuration in environment:\n' +
        '  FLEETD_AGENT_TTL: must be a positive integer\n' +
        '  FLEETD_DISABLE_ENGINE: must be true or false (1/0, yes/no, on/off)\n' +
        '  FLEETD_API_TCP: must be host:port, like 0.0.0.0:8440 or [::1]:8440',
    );
  });

  it('warns about unknown FLEETD_* variables, takes FLEETD_CONFIG as the config path, ignores empty values', () => {
    const layer = readEnvironment({ FLEETD_AGENT_TTLS: '3', FLEETD_NONSENSE: 'x', FLEETD_CONFIG: '/etc/x.yaml', FLEETD_MACHINE_ID: '', HOME: '/root' });
    expect(layer).toEqual({
      configPath: '/etc/x.yaml',
      overrides: [],
      warnings: [
        'unknown environment variable FLEETD_AGENT_TTLS ignored (did you mean FLEETD_AGENT_TTL?)',
        'unknown environment variable FLEETD_NONSENSE ignored',
      ],
    });
  });

  it('every table row has a FLEETD_ name and a --flag, all distinct', () => {
    expect(new Set(OPTION_TABLE.map((row) => row.env)).size).toBe(OPTION_TABLE.length);
    expect(new Set(OPTION_TABLE.map((row) => row.flag)).size).toBe(OPTION_TABLE.length);
    for (const row of OPTION_TABLE) expect(row.env).toMatch(/^FLEETD_[A-Z_]+$/);
  });
});

describe('parseFleetdArgs', () => {
  it('reads --config and one flag per option', () => {
    const args = parseFleetdArgs(['--config', 'x.yaml', '--disable-engine', '--agent-ttl', '5', '--etcd-endpoints', 'http://a:2379', '--machine-id', 'm9']);
    expect(args.configPath).toBe('x.yaml');
    expect(args.overrides.map(({ path, value, origin }) => [path.join('.'), value, origin.kind === 'flag' ? origin.name : ''])).toEqual([
      ['etcd.endpoints', ['http://a:2379'], '--etcd-endpoints'],
      ['machine.id', 'm9', '--machine-id'],
      ['agent.ttlSeconds', 5, '--agent-ttl'],
      ['engine.enabled', false, '--disable-engine'],
    ]);
  });

  it.each([
    { name: 'unknown flag', argv: ['--bogus'], problem: "unknown option '--bogus'" },
    { name: 'misspelled flag', argv: ['--machin-id', 'x'], problem: "unknown option '--machin-id' (did you mean --machine-id?)" },
    { name: 'missing value', argv: ['--agent-ttl'], problem: "option '--agent-ttl <seconds>' argument missing" },
    { name: 'bad value', argv: ['--agent-ttl', '0'], problem: '--agent-ttl: must be a positive integer' },
    { name: 'stray argument', argv: ['start'], problem: 'too many arguments. Expected 0 arguments but got 1.' },
  ])('$name → CONFIG_INVALID, never process.exit', async ({ argv, problem }) => {
    const error = await fleetError(() => parseFleetdArgs(argv));
    expect(error.code).toBe(ErrorCodes.CONFIG_INVALID);
    expect(error.message).toBe(`invalid configuration in command line:\n  ${problem}`);
  });

  it('--help and --version come back as text for the bin to print', () => {
    const help = parseFleetdArgs(['--help']).help ?? '';
    expect(help).toMatch(/^Usage: fleetd \[options\]/);
    for (const row of OPTION_TABLE) expect(help).toContain(row.flag);
    expect(parseFleetdArgs(['--version'], { version: '1.2.3' })).toEqual({ overrides: [], version: '1.2.3' });
  });
});

describe('precedence: defaults < file < environment < flags', () => {
  const dir = fixture('format-yaml');

  it('the environment overrides the file, flags override both', async () => {
    const loaded = await loadConfig({
      cwd: dir,
      systemConfigDir: NO_SYSTEM_DIR,
      env: { FLEETD_AGENT_TTL: '20', FLEETD_LOG_LEVEL: 'warn', FLEETD_METADATA: 'zone=a' },
      overrides: parseFleetdArgs(['--log-level', 'trace', '--etcd-endpoints', 'https://etcd.example:2379']).overrides,
    });
    expect(loaded.config).toMatchObject({
      etcd: { endpoints: ['https://etcd.example:2379'], keyPrefix: '/fleet-test/' },
      machine: { id: 'm1', metadata: 'zone=a' },
      agent: { ttlSeconds: 20 },
      log: { level: 'trace' },
    });
  });

  it('a later layer may fix a bad earlier value: only the final result is validated', async () => {
    const loaded = await loadConfig({ cwd: fixture('invalid-log-level'), systemConfigDir: NO_SYSTEM_DIR, env: { FLEETD_LOG_LEVEL: 'error' } });
    expect(loaded.config).toEqual({ log: { level: 'error' } });
  });

  it('problems name where each value came from: file line, variable, flag', async () => {
    const file = join(fixture('invalid-endpoint'), 'fleetd.config.yaml');
    const error = await fleetError(() =>
      loadConfig({
        cwd: fixture('invalid-endpoint'),
        systemConfigDir: NO_SYSTEM_DIR,
        env: { FLEETD_API_TOKEN: 'secret' },
        overrides: parseFleetdArgs(['--log-level', 'loud']).overrides,
      }),
    );
    expect(error.message).toBe(
      `invalid configuration in ${file} and environment and command line:\n` +
        `  etcd.endpoints[1] (line 4): must be an http(s) URL like "http://10.0.0.1:2379", got "10.0.0.2:2379"\n` +
        `  etcd.endpoints[2] (line 5): must be an http(s) URL like "http://10.0.0.1:2379", got "ftp://10.0.0.3:2379"\n` +
        '  api.tcp.port (FLEETD_API_TOKEN): is required\n' +
        '  log.level (--log-level): must be one of fatal, error, warn, info, debug, trace, got "loud"',
    );
  });

  it('without a file, an environment problem is reported against the environment', async () => {
    const cwd = await emptyDir();
    const error = await fleetError(() => loadConfig({ cwd, systemConfigDir: NO_SYSTEM_DIR, env: { FLEETD_ETCD_ENDPOINTS: 'etcd:2379' } }));
    expect(error.message).toBe(
      'invalid configuration in environment:\n  etcd.endpoints[0] (FLEETD_ETCD_ENDPOINTS): must be an http(s) URL like "http://10.0.0.1:2379", got "etcd:2379"',
    );
  });
});
