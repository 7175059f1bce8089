import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { assemblePlugins, CORE_VERSION, definePlugin, ErrorCodes, FleetError, Stage } from '../index.js';
import type { FleetHooks } from '../index.js';
import { testPlugin } from '../testing/index.js';

const meta = (name: string, core = '*') => ({ name, version: '1.0.0', core });

async function assembleError(run: () => Promise<unknown> | unknown): Promise<FleetError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof FleetError) return error;
    throw error;
  }
  throw new Error('expected a FleetError');
}

describe('definePlugin meta', () => {
  it.each([
    { name: 'name with capitals', input: { name: 'Bad', version: '1.0.0', core: '*' }, message: 'plugin "Bad": meta.name must be 1-128 characters of [a-z0-9._/@-], starting with a letter or digit' },
    { name: 'version not semver', input: { name: 'p', version: 'one', core: '*' }, message: 'plugin "p": meta.version "one" is not a semver version' },
    { name: 'core not a range', input: { name: 'p', version: '1.0.0', core: 'latest' }, message: 'plugin "p": meta.core "latest" is not a semver range of @fleetd/core versions' },
    { name: 'core missing', input: { name: 'p', version: '1.0.0' }, message: 'plugin "p": meta.core undefined is not a semver range of @fleetd/core versions' },
  ])('$name is rejected with PLUGIN_INVALID', async ({ input, message }) => {
    const error = await assembleError(() => definePlugin({ meta: input as never, apply: () => {} }));
    expect(error.code).toBe(ErrorCodes.PLUGIN_INVALID);
    expect(error.message).toBe(message);
  });
});

describe('assemblePlugins', () => {
  it('rejects a plugin whose core range excludes the running core, naming both versions', async () => {
    const old = definePlugin({ meta: { name: 'old', version: '2.3.4', core: '^99.0.0' }, apply: () => {} });
    const error = await assembleError(() => assemblePlugins([old]));
    expect(error.code).toBe(ErrorCodes.PLUGIN_VERSION_MISMATCH);
    expect(error.plugin).toBe('old');
    expect(error.message).toBe(`plugin "old"@2.3.4 supports @fleetd/core ^99.0.0, but the running core is ${CORE_VERSION}`);
  });

  it('reports every option problem of every plugin as plugin: path: message', async () => {
    const zones = definePlugin({
      meta: meta('zones'),
      options: z.object({ key: z.string(), spread: z.array(z.object({ weight: z.number() })) }),
      apply: () => {},
    });
    const quiet = definePlugin({ meta: meta('quiet'), apply: () => {} });
    const error = await assembleError(() =>
      assemblePlugins([[zones, { key: 7, spread: [{ weight: 'x' }] }], [quiet, { loud: true }]]),
    );
    expect(error.code).toBe(ErrorCodes.PLUGIN_OPTIONS_INVALID);
    expect(error.issues).toEqual([
      'zones: key: Invalid input: expected string, received number',
      'zones: spread[0].weight: Invalid input: expected number, received string',
      'quiet: options: this plugin takes no options',
    ]);
    expect(error.message).toContain('invalid plugin options:\n  zones: key:');
  });

  it('passes validated (and defaulted) options to apply', async () => {
    let seen: unknown;
    const plugin = definePlugin({
      meta: meta('with-defaults'),
      options: z.object({ label: z.string().default('zone') }),
      apply: (_hooks, options) => {
        seen = options;
      },
    });
    const host = await assemblePlugins([{ plugin, options: {}, weight: 2 }]);
    expect(seen).toEqual({ label: 'zone' });
    expect(host.plugins[0]).toMatchObject({ weight: 2, options: { label: 'zone' } });
    seen = undefined;
    await assemblePlugins([plugin]);
    expect(seen).toEqual({ label: 'zone' });
  });

  it.each([
    { name: 'negative weight', weight: -1 },
    { name: 'infinite weight', weight: Number.POSITIVE_INFINITY },
    { name: 'string weight', weight: '2' },
  ])('rejects a $name with SCORE_WEIGHT_INVALID', async ({ weight }) => {
    const error = await assembleError(() => assemblePlugins([{ plugin: testPlugin('p', () => {}), weight: weight as number }]));
    expect(error.code).toBe(ErrorCodes.SCORE_WEIGHT_INVALID);
    expect(error.message).toMatch(/^p: weight: must be a finite number >= 0/);
  });

  it('rejects the same plugin listed twice', async () => {
    const plugin = testPlugin('twice', () => {});
    const error = await assembleError(() => assemblePlugins([plugin, plugin]));
    expect(error.code).toBe(ErrorCodes.PLUGIN_DUPLICATE);
  });

  it('rejects something that is not a plugin, naming its position', async () => {
    const error = await assembleError(() => assemblePlugins([{} as never]));
    expect(error.code).toBe(ErrorCodes.PLUGIN_INVALID);
    expect(error.message).toBe('plugins[0] is not a plugin: expected the default export of definePlugin(...) with meta and apply');
  });

  it('wraps a throwing apply as PLUGIN_APPLY_FAILED', async () => {
    const error = await assembleError(() =>
      assemblePlugins([
        testPlugin('broken', () => {
          throw new Error('boom');
        }),
      ]),
    );
    expect(error).toMatchObject({ code: ErrorCodes.PLUGIN_APPLY_FAILED, plugin: 'broken', message: 'plugin "broken" failed while tapping hooks: boom' });
  });
});

describe('tap guards', () => {
  it('rejects a tap named after another plugin', async () => {
    const impostor = testPlugin('impostor', (hooks) => hooks.filter.tap('metadata', () => undefined));
    const error = await assembleError(() => assemblePlugins([impostor]));
    expect(error.code).toBe(ErrorCodes.TAP_NAME_MISMATCH);
    expect(error.message).toBe('tap "metadata" on hook "filter" must be named after its plugin: expected "impostor"');
  });

  it('rejects an ad-hoc stage number', async () => {
    const plugin = testPlugin('staged', (hooks) => hooks.filter.tap({ name: 'staged', stage: 5 }, () => undefined));
    const error = await assembleError(() => assemblePlugins([plugin]));
    expect(error.code).toBe(ErrorCodes.TAP_STAGE_INVALID);
  });

  it('throws HOOKS_FROZEN for a tap after start-up', async () => {
    let saved: FleetHooks | undefined;
    const host = await assemblePlugins([testPlugin('late', (hooks) => (saved = hooks))]);
    expect(saved).toBe(host.hooks);
    const error = await assembleError(() => host.hooks.filter.tap('late', () => undefined));
    expect(error).toMatchObject({ code: ErrorCodes.HOOKS_FROZEN, plugin: 'late', hook: 'filter' });
    expect(Object.isFrozen(host.hooks)).toBe(true);
  });

  it('orders taps by stage, not by plugin order', async () => {
    const order: string[] = [];
    const host = await assemblePlugins([
      testPlugin('observer', (hooks) => hooks.resolveUnit.tap({ name: 'observer', stage: Stage.LATE }, (unit) => (order.push('observer'), unit))),
      testPlugin('expander', (hooks) => hooks.resolveUnit.tap({ name: 'expander', stage: Stage.PREPARE }, (unit) => (order.push('expander'), unit))),
    ]);
    host.hooks.resolveUnit.call({ name: 'a.service' } as never);
    expect(order).toEqual(['expander', 'observer']);
  });
});

describe('async hook failures', () => {
  it('wraps a rejected tap as PLUGIN_ERROR with plugin, hook and cause', async () => {
    const cause = new Error('no driver today');
    const host = await assemblePlugins([
      testPlugin('driver', (hooks) =>
        hooks.createDriver.tapPromise('driver', async () => {
          throw cause;
        }),
      ),
    ]);
    const error = await assembleError(() => host.hooks.createDriver.promise({ machine: { id: 'm1', metadata: {} } }));
    expect(error).toMatchObject({ code: ErrorCodes.PLUGIN_ERROR, plugin: 'driver', hook: 'createDriver', cause });
    expect(error.message).toBe('plugin "driver" failed in hook "createDriver": no driver today');
  });

  it('times out slow async work with an error naming the plugin', async () => {
    const host = await assemblePlugins(
      [testPlugin('slow', (hooks) => hooks.beforeStart.tapPromise('slow', () => new Promise(() => {})))],
      { hookTimeoutMs: 20 },
    );
    const error = await assembleError(() => host.hooks.beforeStart.promise({} as never, { id: 'm1', metadata: {} }));
    expect(error).toMatchObject({ code: ErrorCodes.PLUGIN_TIMEOUT, plugin: 'slow', hook: 'beforeStart' });
    expect(error.message).toBe('plugin "slow" did not finish hook "beforeStart" within 20 ms');
  });

  it('supports callback-style taps and keeps their result', async () => {
    const host = await assemblePlugins([
      testPlugin('veto', (hooks) => hooks.beforeStart.tapAsync('veto', (_unit, _machine, callback) => callback(null, 'maintenance window'))),
    ]);
    await expect(host.hooks.beforeStart.promise({} as never, { id: 'm1', metadata: {} })).resolves.toBe('maintenance window');
  });
});
