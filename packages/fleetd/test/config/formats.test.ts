import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '@fleetd/core';
import { loadConfig } from '../../src/config/index.js';
import type { FleetdConfig } from '../../src/config/index.js';
import { emptyDir, fixture, fleetError, NO_SYSTEM_DIR } from './helpers.js';

const EXPECTED: FleetdConfig = {
  etcd: { endpoints: ['http://10.0.0.1:2379', 'http://10.0.0.2:2379'], keyPrefix: '/fleet-test/' },
  machine: { id: 'm1', metadata: 'region=us-east,disk=ssd' },
  agent: { ttlSeconds: 15 },
  engine: { enabled: false },
  api: { socket: '/tmp/fleetd-test.sock' },
  log: { level: 'debug' },
};

describe('config file formats', () => {
  it.each([
    { name: 'fleetd.config.ts', dir: 'format-ts' },
    { name: 'fleetd.config.mts', dir: 'format-mts' },
    { name: 'fleetd.config.js', dir: 'format-js' },
    { name: 'fleetd.config.mjs', dir: 'format-mjs' },
    { name: 'fleetd.config.cjs', dir: 'format-cjs' },
    { name: 'fleetd.config.json', dir: 'format-json' },
    { name: 'fleetd.config.yaml', dir: 'format-yaml' },
    { name: 'fleetd.config.yml', dir: 'format-yml' },
    { name: '.fleetdrc', dir: 'format-rc-yaml' },
    { name: '.fleetdrc', dir: 'format-rc-json' },
    { name: '.fleetdrc.json', dir: 'format-rc-dot-json' },
    { name: '.fleetdrc.yaml', dir: 'format-rc-dot-yaml' },
    { name: '.fleetdrc.yml', dir: 'format-rc-dot-yml' },
    { name: '.fleetdrc.js', dir: 'format-rc-dot-js' },
    { name: '.fleetdrc.cjs', dir: 'format-rc-dot-cjs' },
    { name: '.fleetdrc.mjs', dir: 'format-rc-dot-mjs' },
    { name: 'package.json', dir: 'format-package-json' },
  ])('$dir: $name loads the same configuration', async ({ name, dir }) => {
    const loaded = await loadConfig({ cwd: fixture(dir), env: {}, systemConfigDir: NO_SYSTEM_DIR });
    expect(loaded.file).toBe(join(fixture(dir), name));
    expect(loaded.config).toEqual(EXPECTED);
    expect(loaded.warnings).toEqual([]);
  });
});

describe('finding the config file', () => {
  it('finds no file and loads nothing when there is no config at all (standalone defaults)', async () => {
    const loaded = await loadConfig({ cwd: await emptyDir(), env: {}, systemConfigDir: NO_SYSTEM_DIR });
    expect(loaded.file).toBeUndefined();
    expect(loaded.config).toEqual({});
  });

  it('searches from the working directory upwards', async () => {
    const loaded = await loadConfig({ cwd: join(fixture('format-yaml'), 'deeper', 'still'), env: {}, systemConfigDir: NO_SYSTEM_DIR });
    expect(loaded.file).toBe(join(fixture('format-yaml'), 'fleetd.config.yaml'));
  });

  it('falls back to the system config directory (/etc/fleetd) after the working directory and its parents', async () => {
    const loaded = await loadConfig({ cwd: await emptyDir(), env: {}, systemConfigDir: fixture('format-json') });
    expect(loaded.file).toBe(join(fixture('format-json'), 'fleetd.config.json'));
  });

  it('--config loads exactly that file, relative to the working directory', async () => {
    const loaded = await loadConfig({ cwd: fixture('format-json'), configPath: '../format-yml/fleetd.config.yml', env: {}, systemConfigDir: NO_SYSTEM_DIR });
    expect(loaded.file).toBe(join(fixture('format-yml'), 'fleetd.config.yml'));
    expect(loaded.config).toEqual(EXPECTED);
  });

  it('FLEETD_CONFIG names the file; --config wins over it', async () => {
    const env = { FLEETD_CONFIG: join(fixture('format-cjs'), 'fleetd.config.cjs') };
    expect((await loadConfig({ cwd: await emptyDir(), env })).file).toBe(env.FLEETD_CONFIG);
    const flagged = await loadConfig({ cwd: await emptyDir(), env, configPath: join(fixture('format-yml'), 'fleetd.config.yml') });
    expect(flagged.file).toBe(join(fixture('format-yml'), 'fleetd.config.yml'));
  });

  it('a missing --config file is CONFIG_NOT_FOUND naming the path', async () => {
    const missing = join(fixture('format-json'), 'nope.yaml');
    const error = await fleetError(() => loadConfig({ configPath: missing, env: {} }));
    expect(error.code).toBe(ErrorCodes.CONFIG_NOT_FOUND);
    expect(error.message).toBe(`config file ${missing} does not exist`);
  });

  it('a --config path that is a directory is CONFIG_NOT_FOUND', async () => {
    const error = await fleetError(() => loadConfig({ configPath: fixture('format-json'), env: {} }));
    expect(error.code).toBe(ErrorCodes.CONFIG_NOT_FOUND);
    expect(error.message).toBe(`config file ${fixture('format-json')} is not a file`);
  });

  it('an empty file named with --config means all defaults', async () => {
    const dir = await emptyDir();
    await writeFile(join(dir, 'fleetd.config.yaml'), '\n');
    const loaded = await loadConfig({ configPath: join(dir, 'fleetd.config.yaml'), env: {} });
    expect(loaded.config).toEqual({});
  });

  it('reads the file again on every load, so a SIGHUP reload sees edits (no module cache)', async () => {
    const dir = await emptyDir();
    await mkdir(join(dir, 'sub'));
    const file = join(dir, 'fleetd.config.mjs');
    await writeFile(file, "export default { log: { level: 'warn' } };\n");
    expect((await loadConfig({ cwd: dir, env: {}, systemConfigDir: NO_SYSTEM_DIR })).config).toEqual({ log: { level: 'warn' } });
    await writeFile(file, "export default { log: { level: 'trace' } };\n");
    expect((await loadConfig({ cwd: dir, env: {}, systemConfigDir: NO_SYSTEM_DIR })).config).toEqual({ log: { level: 'trace' } });
  });
});
