// Every example config is loaded, resolved and its plugins assembled, the way
// fleetd starts, so an example that stops matching fleetd fails here.
import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleFromConfig, loadConfig, resolveConfig } from 'fleetd';
import type { FleetdConfig, LoadedConfig } from 'fleetd';
import { fleetPluginNames } from '@fleetd/preset-fleet';

const examples = dirname(dirname(fileURLToPath(import.meta.url)));
const zoneSpreadPackage = await realpath(join(examples, '..', 'plugin-zone-spread'));

// The machine ID comes from the environment (as FLEETD_MACHINE_ID would on a
// real machine), so the test does not depend on this host's /etc/machine-id.
const env = { FLEETD_MACHINE_ID: 'example-machine' };

let scratch: string;
let tokenFile: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'fleetd-example-configs-'));
  tokenFile = join(scratch, 'api-token');
  // Owner-only, as fleetd requires of a token file.
  await writeFile(tokenFile, 'example-token\n', { mode: 0o600 });
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

/**
 * resolveConfig reads the API token file; the example names a path on a real
 * machine (/etc/fleetd/api-token), so the test points it at a file it wrote.
 * The etcd TLS files are only read when fleetd connects, which no example does here.
 */
function withProvidedFiles(config: FleetdConfig): FleetdConfig {
  const tcp = config.api?.tcp;
  if (tcp?.tokenFile === undefined) return config;
  return { ...config, api: { ...config.api, tcp: { ...tcp, tokenFile } } };
}

async function load(file: string): Promise<LoadedConfig> {
  return loadConfig({ configPath: join(examples, file), env });
}

async function resolveExample(file: string) {
  const loaded = await load(file);
  const resolved = await resolveConfig({ config: withProvidedFiles(loaded.config), file: loaded.file, originOf: loaded.originOf });
  const host = await assembleFromConfig(resolved);
  return { loaded, resolved, host };
}

const systemd = ['systemd'];

describe('example configs', () => {
  it.each([
    {
      name: 'standalone',
      file: 'standalone/fleetd.config.yaml',
      mode: 'standalone',
      engine: true,
      agent: true,
      metadata: { role: 'dev', disk: 'ssd' },
      plugins: [...fleetPluginNames, ...systemd],
    },
    {
      name: 'cluster-member',
      file: 'cluster-member/fleetd.config.yaml',
      mode: 'cluster',
      engine: true,
      agent: true,
      metadata: { region: 'eu-west', zone: 'b', disk: 'ssd' },
      plugins: [...fleetPluginNames, ...systemd],
    },
    {
      name: 'agent-only',
      file: 'agent-only/fleetd.config.json',
      mode: 'cluster',
      engine: false,
      agent: true,
      metadata: { role: 'worker', zone: 'c' },
      plugins: [...fleetPluginNames, ...systemd],
    },
    {
      name: 'custom-plugins',
      file: 'custom-plugins/fleetd.config.ts',
      mode: 'cluster',
      engine: true,
      agent: true,
      metadata: { zone: 'a', disk: 'ssd' },
      plugins: [...fleetPluginNames, 'zone-spread', ...systemd],
    },
  ])('$name resolves and its plugins assemble', async ({ file, mode, engine, agent, metadata, plugins }) => {
    const { loaded, resolved, host } = await resolveExample(file);
    expect(loaded.warnings).toEqual([]);
    expect(resolved.mode).toBe(mode);
    expect(resolved.engine.enabled).toBe(engine);
    expect(resolved.agent.enabled).toBe(agent);
    expect(resolved.machine).toMatchObject({ id: 'example-machine', metadata });
    expect(host.plugins.map((plugin) => plugin.meta.name)).toEqual(plugins);
  });

  it('cluster-member: etcd over TLS with auth, and a TCP API with a token file', async () => {
    const { loaded, resolved } = await resolveExample('cluster-member/fleetd.config.yaml');
    expect(loaded.config.api?.tcp?.tokenFile).toBe('/etc/fleetd/api-token');
    expect(resolved.etcd).toMatchObject({
      endpoints: ['https://10.0.0.1:2379', 'https://10.0.0.2:2379', 'https://10.0.0.3:2379'],
      tls: { ca: '/etc/fleetd/etcd-ca.pem', cert: '/etc/fleetd/etcd-client.pem', key: '/etc/fleetd/etcd-client-key.pem' },
      username: 'fleetd',
    });
    expect(resolved.api.tcp).toMatchObject({ host: '0.0.0.0', port: 8440, token: 'example-token' });
  });

  it('custom-plugins: loads fleetd-plugin-zone-spread by package name, with its options and weight', async () => {
    const { resolved, host } = await resolveExample('custom-plugins/fleetd.config.ts');
    const zoneSpread = resolved.plugins.find((plugin) => plugin.specifier === 'fleetd-plugin-zone-spread');
    expect(zoneSpread?.from.startsWith(join(zoneSpreadPackage, 'dist'))).toBe(true);
    expect(zoneSpread?.entry).toMatchObject({ options: { key: 'zone', maxPerZone: 2 }, weight: 3 });
    expect(host.plugins.find((plugin) => plugin.meta.name === 'zone-spread')).toMatchObject({ weight: 3, options: { key: 'zone', maxPerZone: 2 } });
    expect(host.unitOptions.get('Group')).toMatchObject({ plugin: 'zone-spread' });
  });
});
