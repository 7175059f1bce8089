import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { assemblePlugins, CORE_VERSION, createUnit, definePlugin, ErrorCodes, FleetError, isFleetError, loadedCoreCopies, Stage } from '../index.js';
import type { PluginHooks, PluginHost } from '../index.js';
import { recordingLogger, testPlugin } from '../testing/index.js';
import { createHookRunner } from '../unstable.js';

const meta = (name: string, core = '*') => ({ name, version: '1.0.0', core });

async function assembleError(run: () => unknown): Promise<FleetError> {
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
    {
      name: 'name with capitals',
      input: { name: 'Bad', version: '1.0.0', core: '*' },
      message: 'plugin "Bad": meta.name must be 1-128 characters of [a-z0-9._/@-], starting with a letter or digit',
    },
    { name: 'version not semver', input: { name: 'p', version: 'one', core: '*' }, message: 'plugin "p": meta.version "one" is not a semver version' },
    {
      name: 'core not a range',
      input: { name: 'p', version: '1.0.0', core: 'latest' },
      message: 'plugin "p": meta.core "latest" is not a semver range of @fleetd/core versions',
    },
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
      assemblePlugins([
        [zones, { key: 7, spread: [{ weight: 'x' }] }],
        [quiet, { loud: true }],
      ]),
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

describe('hooks bound to the plugin', () => {
  it('names every tap after the plugin whose apply added it', async () => {
    const host = await assemblePlugins([
      testPlugin('zones', (hooks) => hooks.filter.tap(() => undefined)),
      testPlugin('load', (hooks) => hooks.score.tap(() => 0)),
    ]);
    expect(host.hooks.filter.taps.map((tap) => tap.name)).toEqual(['zones']);
    expect(host.hooks.score.taps.map((tap) => tap.name)).toEqual(['load']);
  });

  it.each([
    {
      name: "a tap name in tapable's style",
      tap: (hooks: PluginHooks) => hooks.filter.tap('metadata' as never, () => undefined),
      code: ErrorCodes.TAP_INVALID,
      message:
        'plugin "p" tapped hook "filter" with a name ("metadata"); a tap is named after its plugin: give only the function, or { stage } and the function',
    },
    {
      name: 'a tap name (the plugin names its taps)',
      tap: (hooks: PluginHooks) => hooks.filter.tap({ name: 'metadata' } as never, () => undefined),
      code: ErrorCodes.TAP_INVALID,
      message: 'plugin "p" tapped hook "filter" with unknown option name (a tap is named after its plugin; leave the name out)',
    },
    {
      name: 'a function that is not one',
      tap: (hooks: PluginHooks) => hooks.score.tap({}, 'fast' as never),
      code: ErrorCodes.TAP_INVALID,
      message: 'plugin "p" tapped hook "score" with string, expected a function',
    },
    {
      name: 'an ad-hoc stage number',
      tap: (hooks: PluginHooks) => hooks.filter.tap({ stage: 5 }, () => undefined),
      code: ErrorCodes.TAP_STAGE_INVALID,
      message: 'plugin "p" tapped hook "filter" at stage 5; use one of Stage.PREPARE, Stage.EARLY, Stage.DEFAULT, Stage.LATE, Stage.COMMIT, Stage.OBSERVE',
    },
  ])('refuses $name', async ({ tap, code, message }) => {
    const error = await assembleError(() => assemblePlugins([testPlugin('p', tap)]));
    expect(error).toMatchObject({ code, plugin: 'p', message });
  });

  it("throws HOOKS_FROZEN for a tap after start-up, through the bound hooks or the host's", async () => {
    let saved: PluginHooks | undefined;
    const host = await assemblePlugins([testPlugin('late', (hooks) => (saved = hooks))]);
    const bound = await assembleError(() => saved?.filter.tap(() => undefined));
    expect(bound).toMatchObject({ code: ErrorCodes.HOOKS_FROZEN, plugin: 'late', hook: 'filter' });
    expect(bound.message).toBe('plugin "late" tapped hook "filter" after start-up; tap hooks inside the plugin\'s apply()');
    expect(await assembleError(() => host.hooks.filter.tap('late', () => undefined))).toMatchObject({ code: ErrorCodes.HOOKS_FROZEN });
    expect(await assembleError(() => host.hooks.score.intercept({}))).toMatchObject({ code: ErrorCodes.HOOKS_FROZEN, hook: 'score' });
    expect(Object.isFrozen(host.hooks)).toBe(true);
  });

  it('orders taps by stage, not by plugin order', async () => {
    const order: string[] = [];
    const host = await assemblePlugins([
      testPlugin('observer', (hooks) => hooks.resolveUnit.tap({ stage: Stage.LATE }, (unit) => (order.push('observer'), unit))),
      testPlugin('expander', (hooks) => hooks.resolveUnit.tap({ stage: Stage.PREPARE }, (unit) => (order.push('expander'), unit))),
    ]);
    host.resolveUnit(createUnit({ name: 'a.service', contents: '[Service]\nExecStart=/bin/true\n' }));
    expect(order).toEqual(['expander', 'observer']);
  });
});

describe('plugin context', () => {
  it('gives each plugin a logger named after it', async () => {
    const { lines, logger } = recordingLogger();
    await assemblePlugins([testPlugin('chatty', (_hooks, context) => context.logger.warn('option x is deprecated', { option: 'x' }))], { logger });
    expect(lines).toEqual([{ plugin: 'chatty', level: 'warn', message: 'option x is deprecated', fields: { option: 'x' } }]);
  });

  it('shows every plugin the [X-Fleet] options all plugins declare', async () => {
    let seen: string[] = [];
    await assemblePlugins([
      testPlugin('reader', (_hooks, context) => (seen = context.unitOptions.options.map((option) => `${option.plugin}:${option.spellings.join('|')}`))),
      testPlugin('pin', () => {}, { unitOptions: [{ name: 'MachineID', aliases: ['X-ConditionMachineID'], description: 'pin' }] }),
    ]);
    expect(seen).toEqual(['pin:MachineID|X-ConditionMachineID']);
  });

  it("warns through the plugin's logger when the plugin was built on another copy of @fleetd/core", async () => {
    const { lines, logger } = recordingLogger();
    const plugin = testPlugin('vendored', () => {});
    const foreign = Object.defineProperty({ ...plugin }, Symbol.for('@fleetd/core.definedBy'), {
      value: { version: '0.0.9', directory: '/elsewhere/@fleetd/core/' },
    });
    await assemblePlugins([foreign], { logger });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ plugin: 'vendored', level: 'warn' });
    expect(lines[0]?.message).toContain('another copy of @fleetd/core (0.0.9 in /elsewhere/@fleetd/core/)');
    expect(loadedCoreCopies().length).toBeGreaterThanOrEqual(1);
  });
});

describe('declared [X-Fleet] options and dependencies', () => {
  const option = (name: string, extra: object = {}) => ({ name, description: `the ${name} option`, ...extra });

  it('refuses two plugins declaring one spelling, naming both', async () => {
    const error = await assembleError(() =>
      assemblePlugins([
        testPlugin('conflicts', () => {}, { unitOptions: [option('Conflicts', { aliases: ['X-Conflicts'] })] }),
        testPlugin('my-conflicts', () => {}, { unitOptions: [option('X-Conflicts')] }),
      ]),
    );
    expect(error).toMatchObject({ code: ErrorCodes.UNIT_OPTION_CONFLICT, plugin: 'my-conflicts' });
    expect(error.message).toBe(
      '[X-Fleet] option X-Conflicts is declared by plugin "conflicts" and by plugin "my-conflicts"; an option has one owner: leave one of them out',
    );
  });

  it.each([
    {
      name: 'not a list',
      unitOptions: 'Group',
      message: 'plugin "p": meta.unitOptions must be an array of { name, description, aliases?, excludes?, isSet? }',
    },
    {
      name: 'a bad name',
      unitOptions: [{ name: 'not an option', description: 'x' }],
      message: 'plugin "p": meta.unitOptions[0].name must be an option name such as MachineID',
    },
    { name: 'no description', unitOptions: [{ name: 'Group' }], message: 'plugin "p": meta.unitOptions[0].description must say what Group does' },
    {
      name: 'bad aliases',
      unitOptions: [{ name: 'Group', description: 'x', aliases: ['a b'] }],
      message: 'plugin "p": meta.unitOptions[0].aliases must be a list of option names',
    },
  ])('refuses unit options with $name (PLUGIN_INVALID)', async ({ unitOptions, message }) => {
    const error = await assembleError(() => definePlugin({ meta: { ...meta('p'), unitOptions: unitOptions as never }, apply: () => {} }));
    expect(error).toMatchObject({ code: ErrorCodes.PLUGIN_INVALID, message });
  });

  it.each([
    {
      name: 'missing',
      plugins: () => [testPlugin('spread', () => {}, { dependencies: { metadata: '^1.0.0' } })],
      message: 'plugin "spread" needs plugin "metadata" (^1.0.0), which is not among the plugins: add it to the plugin list',
    },
    {
      name: 'too old',
      plugins: () => [testPlugin('metadata', () => {}, { version: '0.9.0' }), testPlugin('spread', () => {}, { dependencies: { metadata: '^1.0.0' } })],
      message: 'plugin "spread" needs plugin "metadata" ^1.0.0, but "metadata" is 0.9.0',
    },
  ])('refuses a dependency that is $name (PLUGIN_DEPENDENCY_MISSING)', async ({ plugins, message }) => {
    const error = await assembleError(() => assemblePlugins(plugins()));
    expect(error).toMatchObject({ code: ErrorCodes.PLUGIN_DEPENDENCY_MISSING, plugin: 'spread', message });
  });

  it('accepts a dependency listed after the plugin that needs it', async () => {
    const host = await assemblePlugins([
      testPlugin('spread', () => {}, { dependencies: { metadata: '*' } }),
      testPlugin('metadata', () => {}, { version: '1.2.0' }),
    ]);
    expect(host.plugins.map((plugin) => plugin.meta.name)).toEqual(['spread', 'metadata']);
  });
});

describe('async hook failures', () => {
  const machine = { id: 'm1', metadata: {} };
  const runnerOf = (host: PluginHost) => createHookRunner(host, () => {});

  it("wraps a rejected tap as PLUGIN_ERROR with plugin, hook, cause and the plugin's own code", async () => {
    const cause = Object.assign(new Error('no driver today'), { code: 'ENOBUS' });
    const host = await assemblePlugins([
      testPlugin('driver', (hooks) =>
        hooks.createDriver.tap(async () => {
          throw cause;
        }),
      ),
    ]);
    const error = await assembleError(() => runnerOf(host).createDriver({ machine }));
    expect(error).toMatchObject({ code: ErrorCodes.PLUGIN_ERROR, plugin: 'driver', hook: 'createDriver', pluginCode: 'ENOBUS', cause });
    expect(error.message).toBe('plugin "driver" failed in hook "createDriver": no driver today');
  });

  it('times out slow async work with an error naming the plugin', async () => {
    const host = await assemblePlugins([testPlugin('slow', (hooks) => hooks.beforeStart.tap(() => new Promise(() => {})))], { hookTimeoutMs: 20 });
    const error = await assembleError(() => runnerOf(host).beforeStart({} as never, machine));
    expect(error).toMatchObject({ code: ErrorCodes.PLUGIN_TIMEOUT, plugin: 'slow', hook: 'beforeStart' });
    expect(error.message).toBe('plugin "slow" did not finish hook "beforeStart" within 20 ms');
  });

  it.each([
    { name: 'a plain value', veto: (): string => 'maintenance window' },
    { name: 'a promise', veto: async (): Promise<string> => 'maintenance window' },
  ])('takes an async tap answering with $name', async ({ veto }) => {
    const host = await assemblePlugins([testPlugin('veto', (hooks) => hooks.beforeStart.tap(veto))]);
    await expect(runnerOf(host).beforeStart({} as never, machine)).resolves.toBe('maintenance window');
  });

  it('awaits async taps called through the raw tapable hook too', async () => {
    const host = await assemblePlugins([testPlugin('shape', (hooks) => hooks.reportState.tap(async (state) => ({ ...state, message: 'shaped' })))]);
    const state = { name: 'a.service', hash: 'h', machineId: 'm1', loadState: 'loaded', activeState: 'active', subState: 'running' };
    await expect(host.hooks.reportState.promise(state, { machine, unit: undefined })).resolves.toMatchObject({ message: 'shaped' });
  });
});

describe('FleetError across copies of @fleetd/core', () => {
  // Another copy's FleetError class: same brand (Symbol.for), different class object.
  class OtherCopysError extends Error {
    readonly code = ErrorCodes.UNIT_EXISTS;
    constructor(message: string) {
      super(message);
      Object.defineProperty(this, Symbol.for('@fleetd/core.FleetError'), { value: true });
    }
  }

  it('recognises an error of another copy with isFleetError and instanceof', () => {
    const error = new OtherCopysError('unit exists');
    expect(isFleetError(error)).toBe(true);
    expect(isFleetError(error, ErrorCodes.UNIT_EXISTS)).toBe(true);
    expect(error instanceof FleetError).toBe(true);
    expect(new Error('plain') instanceof FleetError).toBe(false);
  });

  it('keeps instanceof of subclasses strict', () => {
    class ApiError extends FleetError {}
    expect(new ApiError(ErrorCodes.API_ERROR, 'x') instanceof ApiError).toBe(true);
    expect(new FleetError(ErrorCodes.API_ERROR, 'x') instanceof ApiError).toBe(false);
    expect(new ApiError(ErrorCodes.API_ERROR, 'x') instanceof FleetError).toBe(true);
  });
});
