import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '@fleetd/core';
import { loadConfig } from '../../src/config/index.js';
import { fixture, fleetError, NO_SYSTEM_DIR } from './helpers.js';

const TCP_AUTH =
  'a TCP listener requires token, tokenFile or tls.ca (client certificates): without them anyone who reaches the port controls the cluster; set api.tcp.allowUnauthenticated: true only if something else guards the port';
const URL_RULE = 'must be an http(s) URL like "http://10.0.0.1:2379"';

describe('invalid config files', () => {
  it.each([
    {
      name: 'unknown keys, with a suggestion when one is close',
      dir: 'invalid-unknown-key',
      file: 'fleetd.config.yaml',
      lines: ['etcd.endpoint (line 3): unknown option (did you mean "endpoints"?)', 'machine.tags (line 6): unknown option'],
    },
    {
      name: 'wrong types',
      dir: 'invalid-wrong-type',
      file: 'fleetd.config.json',
      lines: ['agent.enabled (line 4): must be true or false, got "yes"', 'agent.ttlSeconds (line 5): must be a positive integer, got "30"'],
    },
    {
      name: 'bad etcd endpoint URLs',
      dir: 'invalid-endpoint',
      file: 'fleetd.config.yaml',
      lines: [`etcd.endpoints[1] (line 4): ${URL_RULE}, got "10.0.0.2:2379"`, `etcd.endpoints[2] (line 5): ${URL_RULE}, got "ftp://10.0.0.3:2379"`],
    },
    {
      name: 'a bad metadata string, naming each bad pair',
      dir: 'invalid-metadata',
      file: 'fleetd.config.yaml',
      lines: [
        'machine.metadata (line 3): bad pair "ssd": expected key=value',
        'machine.metadata (line 3): bad pair "disk type=ssd": keys must be 1-128 characters of [A-Za-z0-9_.-]',
      ],
    },
    { name: 'a TCP listener without token or TLS', dir: 'invalid-tcp-auth', file: 'fleetd.config.yaml', lines: [`api.tcp (line 3): ${TCP_AUTH}`] },
    {
      name: 'a bad log level',
      dir: 'invalid-log-level',
      file: '.fleetdrc.json',
      lines: ['log.level (line 2): must be one of fatal, error, warn, info, debug, trace, got "verbose"'],
    },
    {
      name: 'a bad value in package.json "fleetd"',
      dir: 'invalid-package-json',
      file: 'package.json',
      lines: ['dataDir (line 6): must be a directory path, got ""'],
    },
    {
      name: 'many problems at once, in file order',
      dir: 'invalid-many',
      file: 'fleetd.config.yaml',
      lines: [
        'etcd.endpoints (line 2): must list at least one etcd endpoint',
        'etcd.requestTimeoutMs (line 3): must be a positive integer, got 0',
        'machine.publicIP (line 6): must be an IPv4 or IPv6 address, got "not-an-ip"',
        'engine.leaseTtlSeconds (line 8): must be an integer >= 2, got 1',
        'api.socketMode (line 10): must be an octal mode string like "0660", got "rw-rw----"',
        'api.pageSize (line 11): must be a positive integer, got 2.5',
        'plugins[1].weight (line 15): must be a finite number >= 0, got -1',
        'plugins[2] (line 16): must be a package name, a path, a plugin object, [plugin, options] or { plugin, options, weight }, got 42',
        'hookTimeoutMs (line 17): must be a positive integer, got "soon"',
      ],
    },
  ])('$name: CONFIG_INVALID lists every problem with its line', async ({ dir, file, lines }) => {
    const path = join(fixture(dir), file);
    const error = await fleetError(() => loadConfig({ cwd: fixture(dir), env: {}, systemConfigDir: NO_SYSTEM_DIR }));
    expect(error.code).toBe(ErrorCodes.CONFIG_INVALID);
    expect(error.message).toBe(`invalid configuration in ${path}:\n  ${lines.join('\n  ')}`);
    expect(error.issues).toEqual(lines);
    expect(error.file).toBe(path);
  });

  it.each([
    {
      name: 'YAML syntax error',
      dir: 'invalid-yaml-syntax',
      file: 'fleetd.config.yaml',
      line: 3,
      detail: 'syntax error at line 3, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]',
    },
    {
      name: 'JSON syntax error',
      dir: 'invalid-json-syntax',
      file: 'fleetd.config.json',
      line: 4,
      detail: 'syntax error at line 4, column 3: Expected double-quoted property name',
    },
    { name: 'JS syntax error', dir: 'invalid-js-syntax', file: 'fleetd.config.mjs', line: 3, detail: 'syntax error at line 3, column 13: Unexpected token' },
    {
      name: 'TS config that throws',
      dir: 'invalid-ts-throws',
      file: 'fleetd.config.ts',
      line: 4,
      detail: 'loading it threw (line 4): FLEETD_FIXTURE_ENDPOINTS is not set',
    },
  ])('$name: CONFIG_INVALID naming file and line, no stack', async ({ dir, file, line, detail }) => {
    const path = join(fixture(dir), file);
    const error = await fleetError(() => loadConfig({ cwd: fixture(dir), env: {}, systemConfigDir: NO_SYSTEM_DIR }));
    expect(error).toMatchObject({ code: ErrorCodes.CONFIG_INVALID, file: path, line });
    expect(error.message).toBe(`invalid configuration in ${path}: ${detail}`);
  });

  it('a bad file is reported even when named explicitly with --config', async () => {
    const path = join(fixture('invalid-log-level'), '.fleetdrc.json');
    const error = await fleetError(() => loadConfig({ configPath: path, env: {} }));
    expect(error.message).toBe(`invalid configuration in ${path}:\n  log.level (line 2): must be one of fatal, error, warn, info, debug, trace, got "verbose"`);
  });
});
