import type { FullTap } from 'tapable';
import { ErrorCodes, FleetError } from '../errors.js';
import type { HookStatSlot } from './hook-stats.js';
import { HookStatsRecorder } from './hook-stats.js';
import { HOOK_KINDS, HOOK_NAMES } from './spec.js';
import type { FleetHooks, HookName, PluginHook, PluginHooks, TapOptions } from './spec.js';
import { isStage, Stage } from './stages.js';

type AnyFunction = (...args: never[]) => unknown;

/** What the core keeps on a tapable tap besides tapable's own fields: the plugin's function as written. */
interface PluginTap extends FullTap {
  readonly source: AnyFunction;
}

/** One plugin's tap, ready to call: its plugin's position and weight looked up once. */
export interface CompiledTap<Fn = (...args: never[]) => unknown> {
  readonly plugin: string;
  readonly pluginIndex: number;
  readonly weight: number;
  readonly hook: HookName;
  readonly fn: Fn;
  /** Calls and time of this tap, for metrics (hot hooks time one call in SAMPLE_EVERY). */
  readonly slot: HookStatSlot;
}

/** Every hook's taps in call order (stage, then plugin order), compiled once when the host is frozen. */
export type CompiledHooks = { readonly [Name in HookName]: readonly CompiledTap[] };

export interface TapPlugin {
  readonly name: string;
  readonly weight: number;
}

/**
 * Owns the taps of one host: plugins tap through hooks bound to their name
 * while they are applied, nothing taps after `freeze()`, and the frozen taps
 * are compiled into plain arrays every runner of the host shares.
 */
export class TapRegistry {
  readonly stats = new HookStatsRecorder();
  private frozen = false;

  constructor(
    readonly hooks: FleetHooks,
    private readonly plugins: readonly TapPlugin[],
  ) {
    for (const name of HOOK_NAMES) {
      const hook = hooks[name];
      hook.intercept({ register: (tap) => this.register(name, tap) });
      // tapable's interceptors could replace how calls run; the core runs taps itself, so none may be added later.
      hook.intercept = () => {
        throw frozenError(undefined, name, 'intercepted');
      };
    }
  }

  /** The hooks a plugin's apply receives: each tap is named after the plugin. */
  bind(plugin: string): PluginHooks {
    const bound = Object.fromEntries(HOOK_NAMES.map((name) => [name, this.bindHook(plugin, name)]));
    return Object.freeze(bound) as unknown as PluginHooks;
  }

  freeze(): CompiledHooks {
    this.frozen = true;
    const indexByName = new Map(this.plugins.map((plugin, index) => [plugin.name, index]));
    const compiled = Object.fromEntries(
      HOOK_NAMES.map((name) => [name, Object.freeze(this.hooks[name].taps.map((tap) => this.compile(name, tap as PluginTap, indexByName)))]),
    );
    return Object.freeze(compiled) as unknown as CompiledHooks;
  }

  private bindHook(plugin: string, hook: HookName): PluginHook<AnyFunction> {
    const tap = (first: TapOptions | AnyFunction, second?: AnyFunction): void => {
      const [options, candidate] = typeof first === 'function' ? [{}, first] : [first, second];
      const stage = checkTap(plugin, hook, options, candidate);
      const fn = candidate as AnyFunction;
      const tapable = this.hooks[hook] as unknown as {
        tap(options: object, fn: AnyFunction): void;
        tapPromise(options: object, fn: AnyFunction): void;
      };
      const details = { name: plugin, stage, source: fn };
      // A raw tapable call of an async hook must await what the plugin returns, whatever its style.
      if (HOOK_KINDS[hook] === 'async') tapable.tapPromise(details, async (...args: never[]) => fn(...args));
      else tapable.tap(details, fn);
    };
    return Object.freeze({ tap });
  }

  private register(hook: HookName, tap: FullTap): FullTap {
    if (this.frozen) throw frozenError(tap.name, hook, 'tapped');
    if (typeof (tap as Partial<PluginTap>).source !== 'function') {
      throw new FleetError(ErrorCodes.TAP_INVALID, `hook "${hook}" was tapped directly as "${tap.name}"; plugins tap the hooks their apply() receives`, {
        plugin: tap.name,
        hook,
      });
    }
    return tap;
  }

  private compile(hook: HookName, tap: PluginTap, indexByName: ReadonlyMap<string, number>): CompiledTap {
    const pluginIndex = indexByName.get(tap.name) ?? -1;
    return Object.freeze({
      plugin: tap.name,
      pluginIndex,
      weight: this.plugins[pluginIndex]?.weight ?? 1,
      hook,
      fn: tap.source,
      slot: this.stats.slot(tap.name, hook),
    });
  }
}

function checkTap(plugin: string, hook: HookName, options: TapOptions | undefined, fn: unknown): number {
  if (typeof fn !== 'function') {
    throw new FleetError(ErrorCodes.TAP_INVALID, `plugin "${plugin}" tapped hook "${hook}" with ${typeof fn}, expected a function`, { plugin, hook });
  }
  if (typeof options === 'string') {
    throw new FleetError(
      ErrorCodes.TAP_INVALID,
      `plugin "${plugin}" tapped hook "${hook}" with a name ("${String(options)}"); a tap is named after its plugin: give only the function, or { stage } and the function`,
      { plugin, hook },
    );
  }
  if (typeof options !== 'object' || options === null) {
    throw new FleetError(ErrorCodes.TAP_INVALID, `plugin "${plugin}" tapped hook "${hook}" with options ${String(options)}; give { stage } or nothing`, {
      plugin,
      hook,
    });
  }
  const unknown = Object.keys(options).filter((key) => key !== 'stage');
  if (unknown.length > 0) {
    const hint = unknown.includes('name') ? ' (a tap is named after its plugin; leave the name out)' : '';
    throw new FleetError(ErrorCodes.TAP_INVALID, `plugin "${plugin}" tapped hook "${hook}" with unknown option ${unknown.join(', ')}${hint}`, { plugin, hook });
  }
  const stage = options.stage ?? Stage.DEFAULT;
  if (!isStage(stage)) {
    throw new FleetError(
      ErrorCodes.TAP_STAGE_INVALID,
      `plugin "${plugin}" tapped hook "${hook}" at stage ${String(stage)}; use one of Stage.${Object.keys(Stage).join(', Stage.')}`,
      { plugin, hook },
    );
  }
  return stage;
}

function frozenError(plugin: string | undefined, hook: HookName, what: string): FleetError {
  const who = plugin === undefined ? 'something' : `plugin "${plugin}"`;
  return new FleetError(ErrorCodes.HOOKS_FROZEN, `${who} ${what} hook "${hook}" after start-up; tap hooks inside the plugin's apply()`, {
    plugin,
    hook,
  });
}
