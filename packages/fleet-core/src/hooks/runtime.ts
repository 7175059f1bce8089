import type { FullTap } from 'tapable';
import { ErrorCodes, FleetError } from '../errors.js';
import type { FleetHooks, HookKind, HookName } from './hooks.js';
import { HOOK_KINDS } from './hooks.js';
import { HookStatsRecorder, SAMPLE_EVERY } from './hook-stats.js';
import type { HookStatSlot } from './hook-stats.js';
import { pluginError, withPluginTimeout } from './plugin-errors.js';
import { isStage, Stage } from './stages.js';
import type { CandidateNarrowing, ResolvedUnit } from './views.js';

type AnyFunction = (...args: never[]) => unknown;
type TapWithFn = FullTap & { fn: AnyFunction };

/** The core's narrowing sink: told which plugin is restricting, and to forget a plugin that threw. */
export interface NarrowingSink extends CandidateNarrowing {
  beginPlugin(pluginIndex: number): void;
  abortPlugin(pluginIndex: number): void;
}

export interface RuntimePlugin {
  readonly name: string;
  readonly weight: number;
}

/**
 * Guards every tap (named after the plugin applying it, a known stage, never
 * after start-up) and wraps it so the engine's hot loop learns which plugin
 * rejected or scored without allocating, and a throwing plugin becomes a
 * reason instead of a crash.
 */
export class HookRuntime {
  readonly pluginNames: readonly string[];
  readonly weights: Float64Array;
  /** Raw points of the last score call, per plugin index. */
  readonly scoreByPlugin: Float64Array;
  scoreTotal = 0;
  /** Plugin index whose score tap failed in the last score call, or -1. */
  scoreFailedBy = -1;
  scoreFailure = '';
  /** Plugin index whose filter tap rejected in the last filter call. */
  rejectedBy = -1;
  rejectedWithError = false;
  onPluginError: (error: FleetError) => void = () => {};
  /** Calls and time per plugin and hook (metrics). */
  readonly stats = new HookStatsRecorder();

  private readonly indexByName = new Map<string, number>();
  /** Plugin indexes with a score tap, for resetScore. */
  private readonly scored: number[] = [];
  private applying: string | undefined;
  private frozen = false;

  constructor(
    plugins: readonly RuntimePlugin[],
    private readonly timeoutMs: number,
  ) {
    this.pluginNames = plugins.map((plugin) => plugin.name);
    plugins.forEach((plugin, index) => this.indexByName.set(plugin.name, index));
    this.weights = Float64Array.from(plugins, (plugin) => plugin.weight);
    this.scoreByPlugin = new Float64Array(plugins.length);
  }

  /** The plugin whose bind tap is running, so `batch.refuse()` can name it. */
  bindingPlugin: string | undefined;

  install(hooks: FleetHooks): void {
    for (const name of Object.keys(HOOK_KINDS) as HookName[]) {
      hooks[name].intercept({ register: (tap) => this.register(name, tap as TapWithFn) });
    }
    hooks.bind.intercept({
      tap: (tap) => {
        this.bindingPlugin = tap.name;
      },
    });
  }

  /** Runs a plugin's apply with its taps attributed to it. */
  applyAs<T>(plugin: string, apply: () => T): T {
    this.applying = plugin;
    try {
      return apply();
    } finally {
      this.applying = undefined;
    }
  }

  freeze(): void {
    this.frozen = true;
  }

  pluginIndex(name: string): number {
    return this.indexByName.get(name) ?? -1;
  }

  resetScore(): void {
    // Only plugins with a score tap ever get points: zero those (a fill() per machine costs more).
    const scored = this.scored;
    for (let i = 0; i < scored.length; i++) this.scoreByPlugin[scored[i] as number] = 0;
    this.scoreTotal = 0;
    this.scoreFailedBy = -1;
  }

  private register(hook: HookName, tap: TapWithFn): TapWithFn {
    this.checkTap(hook, tap);
    const plugin = tap.name;
    const index = this.pluginIndex(plugin);
    const kind: HookKind = HOOK_KINDS[hook];
    if (kind === 'async') return this.wrapAsync(hook, tap);
    return { ...tap, fn: this.wrapSync(kind, hook, plugin, index, tap.fn) };
  }

  /**
   * Times one call of a hot tap (filter, score, narrow): the wrappers below
   * count every call on their slot and come here once in SAMPLE_EVERY.
   * Timing lives inside the one wrapper a tap has (no extra closure layer
   * per call, no lookup, no modulo): the hot loop runs it millions of times.
   */
  private timed(slot: HookStatSlot, run: () => unknown): unknown {
    slot.countdown = SAMPLE_EVERY;
    const started = performance.now();
    try {
      return run();
    } finally {
      this.stats.record(slot, (performance.now() - started) / 1000);
    }
  }

  private checkTap(hook: HookName, tap: FullTap): void {
    if (this.frozen) {
      throw new FleetError(
        ErrorCodes.HOOKS_FROZEN,
        `plugin "${tap.name}" tapped hook "${hook}" after start-up; tap hooks inside the plugin's apply()`,
        { plugin: tap.name, hook },
      );
    }
    if (this.applying === undefined || tap.name !== this.applying) {
      const expected = this.applying === undefined ? 'taps come from a plugin\'s apply()' : `expected "${this.applying}"`;
      throw new FleetError(
        ErrorCodes.TAP_NAME_MISMATCH,
        `tap "${tap.name}" on hook "${hook}" must be named after its plugin: ${expected}`,
        { plugin: this.applying ?? tap.name, hook },
      );
    }
    if (tap.stage !== undefined && !isStage(tap.stage)) {
      throw new FleetError(
        ErrorCodes.TAP_STAGE_INVALID,
        `plugin "${tap.name}" tapped hook "${hook}" at stage ${String(tap.stage)}; use one of Stage.${Object.keys(Stage).join(', Stage.')}`,
        { plugin: tap.name, hook },
      );
    }
  }

  private wrapSync(kind: HookKind, hook: HookName, plugin: string, index: number, fn: AnyFunction): AnyFunction {
    const call = fn as (...args: unknown[]) => unknown;
    switch (kind) {
      case 'filter':
        return this.wrapFilter(index, call, this.stats.sampledSlot(plugin, hook));
      case 'score':
        this.scored.push(index);
        return this.wrapScore(index, call, this.stats.sampledSlot(plugin, hook));
      case 'narrow':
        return this.wrapNarrow(plugin, hook, index, call, this.stats.sampledSlot(plugin, hook));
      case 'waterfall':
        return wrapResolve(plugin, hook, call);
      case 'validate':
        return this.wrapValidate(plugin, hook, index, call);
      default:
        return this.wrapObserver(plugin, hook, call);
    }
  }

  private wrapFilter(index: number, fn: (...args: unknown[]) => unknown, slot: HookStatSlot): AnyFunction {
    const judge = (unit: unknown, machine: unknown, cluster: unknown): unknown => {
      let verdict: unknown;
      try {
        verdict = fn(unit, machine, cluster);
      } catch (error) {
        return this.filterError(index, error);
      }
      return verdict === undefined ? undefined : this.filterVerdict(index, verdict);
    };
    return (unit: unknown, machine: unknown, cluster: unknown): unknown => {
      slot.calls++;
      if (--slot.countdown === 0) return this.timed(slot, () => judge(unit, machine, cluster));
      // judge's body again, inline: this path runs millions of times per round (measured faster).
      let verdict: unknown;
      try {
        verdict = fn(unit, machine, cluster);
      } catch (error) {
        return this.filterError(index, error);
      }
      return verdict === undefined ? undefined : this.filterVerdict(index, verdict);
    };
  }

  private filterVerdict(index: number, verdict: unknown): unknown {
    if (typeof verdict !== 'string') {
      return this.filterError(index, new TypeError(`filter returned ${typeof verdict}, expected a reason string or nothing`));
    }
    this.rejectedBy = index;
    this.rejectedWithError = false;
    return verdict;
  }

  private filterError(index: number, error: unknown): string {
    const wrapped = pluginError(this.pluginNames[index] ?? '?', 'filter', error);
    this.onPluginError(wrapped);
    this.rejectedBy = index;
    this.rejectedWithError = true;
    return wrapped.message;
  }

  private wrapScore(index: number, fn: (...args: unknown[]) => unknown, slot: HookStatSlot): AnyFunction {
    const weight = this.weights[index] ?? 1;
    const add = (points: unknown): void => {
      if (typeof points !== 'number' || !Number.isFinite(points)) {
        this.scoreError(index, new TypeError(`score returned ${String(points)}, expected a finite number`));
        return;
      }
      this.scoreByPlugin[index] = (this.scoreByPlugin[index] ?? 0) + points;
      this.scoreTotal += points * weight;
    };
    const judge = (unit: unknown, machine: unknown, cluster: unknown): void => {
      let points: unknown;
      try {
        points = fn(unit, machine, cluster);
      } catch (error) {
        this.scoreError(index, error);
        return;
      }
      add(points);
    };
    return (unit: unknown, machine: unknown, cluster: unknown): void => {
      slot.calls++;
      if (--slot.countdown === 0) {
        this.timed(slot, () => judge(unit, machine, cluster));
        return;
      }
      // judge's body again, inline: this path runs millions of times per round (measured faster).
      let points: unknown;
      try {
        points = fn(unit, machine, cluster);
      } catch (error) {
        this.scoreError(index, error);
        return;
      }
      add(points);
    };
  }

  private scoreError(index: number, error: unknown): void {
    const wrapped = pluginError(this.pluginNames[index] ?? '?', 'score', error);
    this.onPluginError(wrapped);
    if (this.scoreFailedBy === -1) {
      this.scoreFailedBy = index;
      this.scoreFailure = wrapped.message;
    }
  }

  private wrapNarrow(plugin: string, hook: string, index: number, fn: (...args: unknown[]) => unknown, slot: HookStatSlot): AnyFunction {
    const judge = (unit: unknown, cluster: unknown, narrowing: NarrowingSink): void => {
      narrowing.beginPlugin(index);
      try {
        fn(unit, cluster, narrowing);
      } catch (error) {
        // Narrowing only speeds things up (filters stay the source of truth), so a failed one is dropped.
        narrowing.abortPlugin(index);
        this.onPluginError(pluginError(plugin, hook, error));
      }
    };
    return (unit: unknown, cluster: unknown, narrowing: NarrowingSink): void => {
      slot.calls++;
      if (--slot.countdown === 0) this.timed(slot, () => judge(unit, cluster, narrowing));
      else judge(unit, cluster, narrowing);
    };
  }

  private wrapValidate(plugin: string, hook: string, index: number, fn: (...args: unknown[]) => unknown): AnyFunction {
    return (unit: unknown): unknown => {
      let problem: unknown;
      try {
        problem = fn(unit);
      } catch (error) {
        throw pluginError(plugin, hook, error);
      }
      if (problem === undefined) return undefined;
      if (typeof problem !== 'string') {
        throw pluginError(plugin, hook, new TypeError(`validateUnit returned ${typeof problem}, expected a problem string or nothing`));
      }
      this.rejectedBy = index;
      return problem;
    };
  }

  private wrapObserver(plugin: string, hook: string, fn: (...args: unknown[]) => unknown): AnyFunction {
    return (...args: unknown[]): void => {
      try {
        fn(...args);
      } catch (error) {
        this.onPluginError(pluginError(plugin, hook, error));
      }
    };
  }

  /** Every async tap becomes a promise tap with a timeout, whatever style it was written in. */
  private wrapAsync(hook: HookName, tap: TapWithFn): TapWithFn {
    const plugin = tap.name;
    const asPromise = toPromiseFunction(tap);
    const timeoutMs = this.timeoutMs;
    const stats = this.stats;
    const slot = stats.slot(plugin, hook, false);
    const fn = async (...args: unknown[]): Promise<unknown> => {
      stats.count(slot);
      const started = performance.now();
      try {
        return await withPluginTimeout(asPromise(...args), timeoutMs, plugin, hook);
      } catch (error) {
        throw pluginError(plugin, hook, error);
      } finally {
        stats.record(slot, (performance.now() - started) / 1000);
      }
    };
    return { ...tap, type: 'promise', fn };
  }
}

function toPromiseFunction(tap: TapWithFn): (...args: unknown[]) => Promise<unknown> {
  const fn = tap.fn as (...args: unknown[]) => unknown;
  if (tap.type === 'async') {
    return (...args) =>
      new Promise((resolve, reject) => {
        fn(...args, (error: unknown, result: unknown) => (error ? reject(error) : resolve(result)));
      });
  }
  return async (...args) => fn(...args);
}

function wrapResolve(plugin: string, hook: string, fn: (...args: unknown[]) => unknown): AnyFunction {
  return (unit: ResolvedUnit): ResolvedUnit => {
    let resolved: unknown;
    try {
      resolved = fn(unit);
    } catch (error) {
      throw pluginError(plugin, hook, error);
    }
    if (!isSameUnit(resolved, unit)) {
      throw pluginError(plugin, hook, new TypeError(`must return the unit it was given (${unit.name}), possibly changed`));
    }
    return resolved;
  };
}

function isSameUnit(value: unknown, unit: ResolvedUnit): value is ResolvedUnit {
  return typeof value === 'object' && value !== null && (value as ResolvedUnit).name === unit.name;
}
