/**
 * What the daemon does with its plugins' words and failures: their log lines
 * land in fleetd's log and are counted; their errors, wherever raised (a
 * round, the agent judging global units, an explanation, the driver), are
 * logged with plugin and hook and counted in fleetd_plugin_errors_total; a
 * second copy of @fleetd/core is called out at start. In-process daemons on
 * the embedded store with an in-memory driver: the wiring is under test here,
 * systemd is under test in standalone.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { unitOptionValues, withGlobal } from '@fleetd/core';
import type { CoreCopy, RoundResult } from '@fleetd/core';
import type { FleetdConfig, PluginSpec } from '../../src/config/index.js';
import { startInProcessDaemon, stopInProcessDaemons } from './in-process.js';
import type { InProcessDaemon } from './in-process.js';
import { memoryDriver, memoryDriverPlugin, testPlugin, waitFor } from '@fleetd/core/testing';

afterEach(stopInProcessDaemons);

const SERVICE = '[Service]\nExecStart=/bin/sleep 1000\n';
const GLOBAL_SERVICE = `${SERVICE}[X-Fleet]\nGlobal=true\n`;

/** fleet's Global=true, as far as these tests need it. */
const globalUnits = testPlugin(
  'global',
  (hooks) => hooks.resolveUnit.tap((unit) => (unitOptionValues(unit, { name: 'Global' }).includes('true') ? withGlobal(unit, true) : unit)),
  { unitOptions: [{ name: 'Global', description: 'run on every machine' }] },
);

/** A plugin whose filter throws (with its own error code) for one unit, and passes every other. */
function throwingFilterFor(unit: string) {
  return testPlugin('judge', (hooks) =>
    hooks.filter.tap((candidate) => {
      if (candidate.name === unit) throw Object.assign(new Error(`cannot judge ${unit}`), { code: 'EJUDGE' });
      return undefined;
    }),
  );
}

function config(plugins: PluginSpec[], roles: Pick<FleetdConfig, 'agent' | 'engine'> = {}): FleetdConfig {
  return { machine: { id: 'm1' }, plugins, ...roles };
}

/** Submits a unit over the daemon's API, as fleetctl does. */
async function submit(fleetd: InProcessDaemon, name: string, contents: string, desiredState = 'launched'): Promise<void> {
  const response = await fleetd.request('PUT', `/fleet/v1/units/${name}`, { body: { desiredState, contents } });
  expect(response.status).toBe(201);
}

describe('plugin logs in the daemon log', () => {
  it("gives each plugin a child of fleetd's logger: its warning carries component and plugin name, and is counted", async () => {
    const noisy = testPlugin('noisy', (_hooks, context) => context.logger.warn('option foo is deprecated', { option: 'foo', plugin: 'spoofed' }));
    const fleetd = await startInProcessDaemon(config([noisy], { agent: { enabled: false } }));
    const line = await fleetd.waitForLine({ msg: 'option foo is deprecated' });
    expect(line).toMatchObject({ level: 'warn', component: 'plugin', plugin: 'noisy', option: 'foo', fields: { plugin: 'spoofed' } });
    expect(await fleetd.metric('fleetd_plugin_log_lines_total{plugin="noisy",level="warn"}')).toBe(1);
    expect(await fleetd.metric('fleetd_plugin_log_lines_total{plugin="noisy",level="error"}')).toBeUndefined();
  });

  it("counts a plugin's warnings and errors even when the log level hides them", async () => {
    const noisy = testPlugin('noisy', (_hooks, context) => {
      context.logger.warn('hidden warning');
      context.logger.error('shown error');
      context.logger.info('not counted');
    });
    const fleetd = await startInProcessDaemon({ ...config([noisy], { agent: { enabled: false } }), log: { level: 'error' } });
    expect(fleetd.lines.filter((line) => line['plugin'] === 'noisy').map((line) => line['msg'])).toEqual(['shown error']);
    expect(await fleetd.metric('fleetd_plugin_log_lines_total{plugin="noisy",level="warn"}')).toBe(1);
    expect(await fleetd.metric('fleetd_plugin_log_lines_total{plugin="noisy",level="error"}')).toBe(1);
  });
});

describe('plugin errors are logged and counted wherever they are raised', () => {
  it('regression: in a daemon that runs only the agent, a plugin error raised while judging a global unit is logged and counted', async () => {
    const fleetd = await startInProcessDaemon(
      config([globalUnits, throwingFilterFor('g.service'), memoryDriverPlugin(memoryDriver())], { engine: { enabled: false } }),
    );
    expect(fleetd.daemon.engine).toBeUndefined();
    await submit(fleetd, 'g.service', GLOBAL_SERVICE);
    const line = await fleetd.waitForLine({ component: 'agent', plugin: 'judge', hook: 'filter' });
    expect(line).toMatchObject({
      level: 'warn',
      msg: 'plugin judge failed in filter',
      code: 'PLUGIN_ERROR',
      pluginCode: 'EJUDGE',
      error: 'plugin "judge" failed in hook "filter": cannot judge g.service',
    });
    expect(await fleetd.metric('fleetd_plugin_errors_total{plugin="judge",hook="filter"}')).toBeGreaterThanOrEqual(1);
  });

  it("regression: an explanation over the API does not change the engine's last round result", async () => {
    const fleetd = await startInProcessDaemon(config([throwingFilterFor('bad.service'), memoryDriverPlugin(memoryDriver())]));
    // Inactive: the engine never judges it, so its rounds raise no plugin error; an explanation does.
    await submit(fleetd, 'bad.service', SERVICE, 'inactive');
    await submit(fleetd, 'good.service', SERVICE);
    const engine = fleetd.daemon.engine;
    await waitFor(() => engine?.isLeader, 'the engine leading');
    const round = (await engine?.runRound()) as RoundResult;
    expect(round.pluginErrors).toHaveLength(0);

    const explanation = await fleetd.request('GET', '/fleetd/v1/units/bad.service/explanation');
    expect(explanation.status).toBe(200);
    expect(explanation.json).toMatchObject({ machines: [{ machine: 'm1', feasible: false, verdicts: [{ plugin: 'judge', verdict: 'error' }] }] });

    expect(round.pluginErrors).toHaveLength(0);
    expect(await fleetd.waitForLine({ component: 'api', plugin: 'judge', hook: 'filter' })).toMatchObject({ code: 'PLUGIN_ERROR', pluginCode: 'EJUDGE' });
    expect(await fleetd.metric('fleetd_plugin_errors_total{plugin="judge",hook="filter"}')).toBe(1);
  });

  it('logs and counts the plugin errors of a dry run', async () => {
    const fleetd = await startInProcessDaemon(config([throwingFilterFor('new.service'), memoryDriverPlugin(memoryDriver())]));
    const plan = await fleetd.request('POST', '/fleetd/v1/plan', { body: { units: [{ name: 'new.service', contents: SERVICE }] } });
    expect(plan.json).toMatchObject({ units: [{ unit: 'new.service', rejections: [{ machine: 'm1', plugin: 'judge', kind: 'error' }] }] });
    expect(await fleetd.waitForLine({ component: 'api', plugin: 'judge', hook: 'filter' })).toMatchObject({ pluginCode: 'EJUDGE' });
    expect(await fleetd.metric('fleetd_plugin_errors_total{plugin="judge",hook="filter"}')).toBeGreaterThanOrEqual(1);
  });

  it('logs a plugin error of an engine round once while it repeats, and counts every one', async () => {
    const fleetd = await startInProcessDaemon(
      config([throwingFilterFor('x.service'), memoryDriverPlugin(memoryDriver())], { engine: { reconcileIntervalMs: 50 } }),
    );
    await submit(fleetd, 'x.service', SERVICE);
    await waitFor(async () => ((await fleetd.metric('fleetd_plugin_errors_total{plugin="judge",hook="filter"}')) ?? 0) >= 3, 'three rounds with the error');
    const logged = fleetd.lines.filter((line) => line['component'] === 'engine' && line['plugin'] === 'judge');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ msg: 'plugin judge failed in filter', code: 'PLUGIN_ERROR', pluginCode: 'EJUDGE', count: 1 });
  });

  it("reports a failed start as the driver plugin's error (hook driver.start), not as a registry error", async () => {
    const driver = memoryDriver();
    driver.fail('start', Object.assign(new Error('unit is masked'), { code: 'EMASKED' }));
    const fleetd = await startInProcessDaemon(config([memoryDriverPlugin(driver)]));
    await submit(fleetd, 'web.service', SERVICE);
    const line = await fleetd.waitForLine({ component: 'agent', task: 'start', level: 'warn' });
    expect(line).toMatchObject({
      msg: 'start web.service failed',
      unit: 'web.service',
      code: 'PLUGIN_ERROR',
      plugin: 'memory-driver',
      hook: 'driver.start',
      pluginCode: 'EMASKED',
    });
    expect(await fleetd.metric('fleetd_agent_tasks_total{type="start",outcome="failed"}')).toBeGreaterThanOrEqual(1);
    expect(await fleetd.metric('fleetd_plugin_errors_total{plugin="memory-driver",hook="driver.start"}')).toBeGreaterThanOrEqual(1);
    expect(await fleetd.metric('fleetd_errors_total{component="agent",code="REGISTRY_UNAVAILABLE"}')).toBeUndefined();
  });
});

describe('copies of @fleetd/core', () => {
  const copies = (globalThis as Record<symbol, CoreCopy[]>)[Symbol.for('@fleetd/core.copies')] as CoreCopy[];
  const other: CoreCopy = { version: '0.0.9', directory: '/opt/plugins/node_modules/fleetd-plugin-zone/node_modules/@fleetd/core/' };
  afterEach(() => {
    const index = copies.indexOf(other);
    if (index >= 0) copies.splice(index, 1);
  });

  it('warns at start when a plugin brought a second copy, naming each copy and the fix', async () => {
    copies.push(other);
    const fleetd = await startInProcessDaemon(config([], { agent: { enabled: false } }));
    const warning = fleetd.lines.find((line) => String(line['msg']).includes('copies of @fleetd/core are loaded'));
    const own = copies[0] as CoreCopy;
    expect(warning).toMatchObject({ level: 'warn', coreCopies: [{ version: own.version, directory: own.directory }, other] });
    expect(warning?.['msg']).toContain(`2 copies of @fleetd/core are loaded: ${own.version} in ${own.directory}, 0.0.9 in ${other.directory}`);
    expect(warning?.['msg']).toContain('make @fleetd/core a peerDependency of each plugin');
  });

  it('says nothing about copies when there is one', async () => {
    const fleetd = await startInProcessDaemon(config([], { agent: { enabled: false } }));
    expect(copies).toHaveLength(1);
    expect(fleetd.lines.filter((line) => String(line['msg']).includes('@fleetd/core'))).toEqual([]);
  });
});
