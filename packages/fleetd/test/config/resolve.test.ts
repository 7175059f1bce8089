import { chmod, copyFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '@fleetd/core';
import { fleetPluginNames } from '@fleetd/preset-fleet';
import { DEFAULTS, diffConfig, loadConfig, resolveConfig } from '../../src/config/index.js';
import type { FleetdConfig } from '../../src/config/index.js';
import { emptyDir, fixture, fleetError, NO_SYSTEM_DIR } from './helpers.js';

const ids = fixture('machine-id');

/** A copy of a fixture file with the given mode (git checks files out 0644, whatever the token's should be). */
async function privateCopy(file: string, mode = 0o600): Promise<string> {
  const copy = join(await emptyDir(), basename(file));
  await copyFile(file, copy);
  await chmod(copy, mode);
  return copy;
}

describe('resolveConfig', () => {
  it('fills every default when there is no config at all (standalone)', async () => {
    const cwd = await emptyDir();
    const loaded = await loadConfig({ cwd, env: { FLEETD_MACHINE_ID_FILE: join(ids, 'machine-id') }, systemConfigDir: NO_SYSTEM_DIR });
    const resolved = await resolveConfig(loaded);
    expect({ ...resolved, plugins: resolved.plugins.map((plugin) => plugin.specifier) }).toEqual({
      mode: 'standalone',
      etcd: undefined,
      machine: { id: '0123456789abcdef0123456789abcdef', idFile: join(ids, 'machine-id'), metadata: {}, publicIP: undefined },
      agent: {
        enabled: true,
        ttlSeconds: 30,
        factsRefreshSeconds: 60,
        unitsDirectory: '/run/fleet/units',
        busAddress: undefined,
        systemdUser: false,
        stopAfterDisconnect: 'off',
      },
      engine: { enabled: true, reconcileIntervalMs: 2000, leaseTtlSeconds: 10 },
      dataDir: '/var/lib/fleetd',
      api: {
        socket: '/run/fleetd/fleetd.sock',
        socketMode: 0o660,
        socketGroup: undefined,
        tcp: undefined,
        pageSize: 100,
        bodyLimitBytes: 1048576,
        headersTimeoutMs: 10000,
        requestTimeoutMs: 60000,
        keepAliveTimeoutMs: 5000,
        dashboard: true,
      },
      log: { level: 'info' },
      hookTimeoutMs: 10000,
      plugins: [...fleetPluginNames, '@fleetd/plugin-systemd'],
      source: {},
    });
  });

  it('a cluster config: etcd defaults, metadata string parsed, token read from its file', async () => {
    const tokenFile = await privateCopy(join(fixture('api-token'), 'token'));
    const config: FleetdConfig = {
      etcd: { endpoints: ['http://10.0.0.1:2379'] },
      machine: { id: 'm1', metadata: 'region=us-east,disk=ssd' },
      agent: { enabled: false },
      api: { socketMode: '600', tcp: { port: 8440, tokenFile } },
    };
    const resolved = await resolveConfig({ config });
    expect(resolved.mode).toBe('cluster');
    expect(resolved.etcd).toEqual({
      endpoints: ['http://10.0.0.1:2379'],
      keyPrefix: DEFAULTS.keyPrefix,
      tls: { ca: undefined, cert: undefined, key: undefined },
      username: undefined,
      password: undefined,
      requestTimeoutMs: 1000,
    });
    expect(resolved.machine.metadata).toEqual({ region: 'us-east', disk: 'ssd' });
    expect(resolved.api.socketMode).toBe(0o600);
    expect(resolved.api.tcp).toEqual({
      host: '127.0.0.1',
      port: 8440,
      token: 's3cret-token',
      tokenFile,
      tls: undefined,
      allowUnauthenticated: false,
      maxConnections: 256,
      maxConnectionsPerClient: 32,
    });
    expect(resolved.plugins.map((plugin) => plugin.specifier)).toEqual(fleetPluginNames);
  });

  it.each([
    { name: 'missing', file: 'no-such-file', message: (path: string) => `machine ID file ${path} does not exist` },
    { name: 'empty', file: 'empty-machine-id', message: (path: string) => `machine ID file ${path} is empty` },
    {
      name: 'invalid',
      file: 'bad-machine-id',
      message: (path: string) => `machine ID file ${path} holds "not a machine id!", not 1-128 characters of [A-Za-z0-9._-]`,
    },
  ])('a $name machine ID file is CONFIG_INVALID naming the file and suggesting machine.id', async ({ file, message }) => {
    const path = join(ids, file);
    const error = await fleetError(() => resolveConfig({ config: { machine: { idFile: path } }, file: '/etc/fleetd/fleetd.config.yaml' }));
    expect(error.code).toBe(ErrorCodes.CONFIG_INVALID);
    expect(error.message).toBe(
      `invalid configuration in /etc/fleetd/fleetd.config.yaml:\n  machine.idFile: ${message(path)}; set machine.id (FLEETD_MACHINE_ID, --machine-id) to choose one`,
    );
  });

  it('names the variable that chose the machine ID file', async () => {
    const path = join(ids, 'empty-machine-id');
    const loaded = await loadConfig({ cwd: await emptyDir(), env: { FLEETD_MACHINE_ID_FILE: path }, systemConfigDir: NO_SYSTEM_DIR });
    const error = await fleetError(() => resolveConfig(loaded));
    expect(error.message).toBe(
      `invalid configuration in environment:\n  machine.idFile (FLEETD_MACHINE_ID_FILE): machine ID file ${path} is empty; set machine.id (FLEETD_MACHINE_ID, --machine-id) to choose one`,
    );
  });

  it('machine.id wins over the ID file, which is then not read', async () => {
    const resolved = await resolveConfig({ config: { machine: { id: 'given', idFile: join(ids, 'no-such-file') }, plugins: [] } });
    expect(resolved.machine.id).toBe('given');
  });

  it.each([
    { name: 'others', mode: 0o644 },
    { name: 'others, not its group', mode: 0o604 },
    { name: 'its group', mode: 0o640 },
  ])('regression: a token file readable by $name is refused, naming its mode (mode $mode)', async ({ name, mode }) => {
    const tokenFile = await privateCopy(join(fixture('api-token'), 'token'), mode);
    const error = await fleetError(() => resolveConfig({ config: { machine: { id: 'm1' }, api: { tcp: { port: 1, tokenFile } }, plugins: [] } }));
    expect(error.code).toBe(ErrorCodes.CONFIG_INVALID);
    const who = name.startsWith('others') ? 'others' : 'its group';
    expect(error.message).toBe(
      `invalid configuration in the configuration object:\n  api.tcp.tokenFile: ${tokenFile} is readable by ${who} (mode 0${mode.toString(8)}); chmod 600 it`,
    );
  });

  it('a token file only its owner can read (0600, 0400) is accepted', async () => {
    for (const mode of [0o600, 0o400]) {
      const tokenFile = await privateCopy(join(fixture('api-token'), 'token'), mode);
      const resolved = await resolveConfig({ config: { machine: { id: 'm1' }, api: { tcp: { port: 1, tokenFile } }, plugins: [] } });
      expect(resolved.api.tcp?.token).toBe('s3cret-token');
    }
  });

  it('a missing token file is CONFIG_INVALID', async () => {
    const error = await fleetError(() =>
      resolveConfig({ config: { machine: { id: 'm1' }, api: { tcp: { port: 1, tokenFile: '/nonexistent/token' } }, plugins: [] } }),
    );
    expect(error.message).toBe('invalid configuration in the configuration object:\n  api.tcp.tokenFile: token file /nonexistent/token does not exist');
  });
});

describe('diffConfig (SIGHUP)', () => {
  const base = async (config: FleetdConfig) => resolveConfig({ config: { machine: { id: 'm1' }, plugins: [], ...config } });

  it('metadata and log level apply at run time; everything else needs a restart', async () => {
    const before = await base({ machine: { id: 'm1', metadata: 'a=1' }, log: { level: 'info' } });
    const after = await base({
      machine: { id: 'm1', metadata: { a: '1', b: '2' } },
      log: { level: 'debug' },
      etcd: { endpoints: ['http://e:2379'] },
      agent: { ttlSeconds: 5 },
    });
    expect(diffConfig(before, after)).toEqual({
      metadata: { a: '1', b: '2' },
      logLevel: 'debug',
      needsRestart: ['agent.ttlSeconds', 'etcd.endpoints', 'etcd.keyPrefix', 'etcd.requestTimeoutMs'],
    });
  });

  it('nothing changed → nothing to do', async () => {
    const config: FleetdConfig = { machine: { id: 'm1', metadata: 'a=1' } };
    expect(diffConfig(await base(config), await base(config))).toEqual({ needsRestart: [] });
  });

  it('a plugin change needs a restart', async () => {
    const before = await base({});
    const after = await resolveConfig({
      config: { machine: { id: 'm1' }, plugins: ['../_plugins/zone.mjs'] },
      file: join(fixture('plugin-by-path'), 'x.yaml'),
    });
    expect(diffConfig(before, after).needsRestart).toEqual(['plugins']);
  });
});
