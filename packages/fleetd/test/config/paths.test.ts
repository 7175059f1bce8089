/**
 * Issue 17: relative paths in a config file resolve against the file's
 * directory (as plugin paths did), wherever fleetd starts; paths from
 * FLEETD_* variables and flags resolve against the working directory.
 */
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseFleetdArgs, resolveConfig } from '../../src/config/index.js';
import type { ResolvedConfig } from '../../src/config/index.js';
import { emptyDir, fixtureCopy, NO_SYSTEM_DIR } from './helpers.js';

/** Every path option of a resolved config, by its config path. */
function pathsOf(resolved: ResolvedConfig): Record<string, string | false | undefined> {
  return {
    dataDir: resolved.dataDir,
    'machine.idFile': resolved.machine.idFile,
    'agent.unitsDirectory': resolved.agent.unitsDirectory,
    'api.socket': resolved.api.socket,
    'api.tcp.tokenFile': resolved.api.tcp?.tokenFile,
    'api.tcp.tls.cert': resolved.api.tcp?.tls?.cert,
    'api.tcp.tls.key': resolved.api.tcp?.tls?.key,
    'api.tcp.tls.ca': resolved.api.tcp?.tls?.ca,
    'etcd.tls.ca': resolved.etcd?.tls.ca,
    'etcd.tls.cert': resolved.etcd?.tls.cert,
    'etcd.tls.key': resolved.etcd?.tls.key,
  };
}

interface Case {
  readonly name: string;
  readonly fixture: string;
  /** `--config` relative to the fixture, or absent: searched from `searchFrom` (in the fixture). */
  readonly configFile?: string;
  readonly searchFrom?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly args?: readonly string[];
  /** The expected paths; `{dir}` is the fixture copy, `{cwd}` the working directory fleetd started in. */
  readonly expected: Record<string, string | false | undefined>;
}

const everyRelativeFromTheFile = {
  dataDir: '{dir}/state',
  'machine.idFile': '{dir}/machine-id',
  'agent.unitsDirectory': '{dir}/units',
  'api.socket': '{dir}/run/fleetd.sock',
  'api.tcp.tokenFile': '{dir}/secrets/token',
  'api.tcp.tls.cert': '{dir}/tls/server.pem',
  'api.tcp.tls.key': '{dir}/tls/server-key.pem',
  'api.tcp.tls.ca': '{dir}/tls/client-ca.pem',
  'etcd.tls.ca': '{dir}/tls/etcd-ca.pem',
  'etcd.tls.cert': '{dir}/tls/etcd.pem',
  'etcd.tls.key': '{dir}/tls/etcd-key.pem',
};

const defaultsOtherwise = {
  'api.tcp.tokenFile': undefined,
  'api.tcp.tls.cert': undefined,
  'api.tcp.tls.key': undefined,
  'api.tcp.tls.ca': undefined,
  'etcd.tls.ca': undefined,
  'etcd.tls.cert': undefined,
  'etcd.tls.key': undefined,
};

const cases: readonly Case[] = [
  {
    name: 'every path option of a file named with --config, fleetd started elsewhere',
    fixture: 'paths-relative',
    configFile: 'fleetd.config.yaml',
    expected: everyRelativeFromTheFile,
  },
  {
    name: 'a file found by the search from a subdirectory: its own directory, not the working one',
    fixture: 'paths-found-from-subdir',
    searchFrom: 'deep/er',
    expected: {
      ...defaultsOtherwise,
      dataDir: '{dir}/data',
      'machine.idFile': '/etc/machine-id',
      'agent.unitsDirectory': '/run/fleet/units',
      'api.socket': '{dir}/../sockets/fleetd.sock',
    },
  },
  {
    name: "package.json's fleetd key: the package's directory",
    fixture: 'paths-package-json',
    searchFrom: '.',
    expected: {
      ...defaultsOtherwise,
      dataDir: '{dir}/var/fleetd',
      'machine.idFile': '/etc/machine-id',
      'agent.unitsDirectory': '{dir}/units',
      'api.socket': '{dir}/fleetd.sock',
    },
  },
  {
    name: 'absolute paths stay as written',
    fixture: 'paths-absolute',
    configFile: 'fleetd.config.json',
    expected: {
      ...defaultsOtherwise,
      dataDir: '/var/lib/fleetd-test',
      'machine.idFile': '/etc/machine-id',
      'agent.unitsDirectory': '/run/fleet/units',
      'api.socket': '/run/fleetd-test/fleetd.sock',
    },
  },
  {
    name: 'variables over the file: the working directory, the file keeps the rest',
    fixture: 'paths-relative',
    configFile: 'fleetd.config.yaml',
    env: { FLEETD_DATA_DIR: 'env-data', FLEETD_UNITS_DIRECTORY: './env-units', FLEETD_ETCD_CA_FILE: 'env-ca.pem' },
    expected: { ...everyRelativeFromTheFile, dataDir: '{cwd}/env-data', 'agent.unitsDirectory': '{cwd}/env-units', 'etcd.tls.ca': '{cwd}/env-ca.pem' },
  },
  {
    name: 'flags over the file: the working directory; --api-tcp leaves the file its TLS files',
    fixture: 'paths-relative',
    configFile: 'fleetd.config.yaml',
    args: ['--api-socket', 'flag.sock', '--machine-id-file', 'ids/machine-id', '--api-tcp', '127.0.0.1:9440'],
    expected: { ...everyRelativeFromTheFile, 'api.socket': '{cwd}/flag.sock', 'machine.idFile': '{cwd}/ids/machine-id' },
  },
];

describe('relative paths', () => {
  it.each(cases)('$name', async ({ fixture, configFile, searchFrom, env, args, expected }) => {
    const dir = await fixtureCopy(fixture);
    // The token must be private to be read; git checks it out 0644.
    if (fixture === 'paths-relative') await chmod(join(dir, 'secrets/token'), 0o600);
    const cwd = searchFrom === undefined ? await emptyDir() : join(dir, searchFrom);
    const flags = parseFleetdArgs(args ?? []);
    const loaded = await loadConfig({
      cwd,
      ...(configFile === undefined ? {} : { configPath: join(dir, configFile) }),
      env: { FLEETD_MACHINE_ID: 'm1', ...env },
      overrides: flags.overrides,
      systemConfigDir: NO_SYSTEM_DIR,
    });
    const resolved = await resolveConfig(loaded, { cwd });
    const fill = (path: string | false | undefined) => (typeof path === 'string' ? join(path.replace('{dir}', dir).replace('{cwd}', cwd)) : path);
    expect(pathsOf(resolved)).toEqual(Object.fromEntries(Object.entries(expected).map(([key, path]) => [key, fill(path)])));
  });

  it("a relative machine ID file and token file are read from the config file's directory", async () => {
    const dir = await fixtureCopy('paths-relative');
    await chmod(join(dir, 'secrets/token'), 0o600);
    const loaded = await loadConfig({ cwd: await emptyDir(), configPath: join(dir, 'fleetd.config.yaml'), env: {}, systemConfigDir: NO_SYSTEM_DIR });
    const resolved = await resolveConfig(loaded, { cwd: '/' });
    expect({ id: resolved.machine.id, token: resolved.api.tcp?.token }).toEqual({ id: '0123456789abcdef0123456789abcdef', token: 's3cret-token' });
  });
});
