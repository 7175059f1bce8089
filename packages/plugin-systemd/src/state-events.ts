/**
 * Unit state changes pushed by systemd (PropertiesChanged on unit objects,
 * after Subscribe), turned into DriverUnitStates. Two kinds of consumers:
 * subscribers, who get the changes of the units the driver manages, and
 * short-lived watches the driver itself uses while judging a start.
 */
import type { DriverUnitState } from '@fleetd/core';
import type { SystemdManager, UnitPropertiesChangedSignal, UnitStateProperties } from './dbus/index.js';

export type StateListener = (state: DriverUnitState) => void;

/** Collects one unit's changes from its creation on, so none is missed between a read and a wait. */
export interface StateWatch {
  /** The first change (already seen or still to come) matching `predicate`, or undefined after `timeoutMs`. */
  until(predicate: (state: DriverUnitState) => boolean, timeoutMs: number): Promise<DriverUnitState | undefined>;
  /** The last change seen so far, if any. */
  latest(): DriverUnitState | undefined;
  /** Forgets what was seen: changes from before a point (a method's reply) are not of interest. */
  clear(): void;
  stop(): void;
}

class Watch implements StateWatch {
  private readonly seen: DriverUnitState[] = [];
  private waiter: ((state: DriverUnitState) => void) | undefined;

  constructor(private readonly detach: () => void) {}

  push(state: DriverUnitState): void {
    this.seen.push(state);
    this.waiter?.(state);
  }

  latest(): DriverUnitState | undefined {
    return this.seen.at(-1);
  }

  clear(): void {
    this.seen.length = 0;
  }

  until(predicate: (state: DriverUnitState) => boolean, timeoutMs: number): Promise<DriverUnitState | undefined> {
    const already = this.seen.find(predicate);
    if (already !== undefined) return Promise.resolve(already);
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      const finish = (state: DriverUnitState | undefined): void => {
        clearTimeout(timer);
        this.waiter = undefined;
        resolve(state);
      };
      this.waiter = (state) => {
        if (predicate(state)) finish(state);
      };
    });
  }

  stop(): void {
    this.waiter = undefined;
    this.detach();
  }
}

function sameState(a: DriverUnitState, b: DriverUnitState): boolean {
  return a.loadState === b.loadState && a.activeState === b.activeState && a.subState === b.subState;
}

/**
 * systemd pushes ActiveState and SubState but not LoadState (it is not an
 * emits-change property: it only changes when units are loaded, reloaded or
 * collected). The load state comes from the driver's own reads (states(),
 * start/stop) and is forgotten on reload, load and unload; a signal for a unit
 * whose load state is unknown costs one ListUnitsByNames, and that unit's
 * further signals wait for it so none is delivered out of order.
 */
export class StateEvents {
  private readonly listeners = new Set<StateListener>();
  private readonly watches = new Map<string, Set<Watch>>();
  /** Last state delivered per unit, to pass on changes only. */
  private readonly last = new Map<string, DriverUnitState>();
  private readonly loadStates = new Map<string, string>();
  /** Signals of units waiting for their load state, in arrival order. */
  private readonly queued = new Map<string, UnitStateProperties[]>();
  private readonly detach: () => void;

  constructor(
    private readonly manager: SystemdManager,
    /** Whether a unit's changes go to subscribers (the units the driver manages). */
    private readonly isManaged: (name: string) => boolean,
  ) {
    this.detach = manager.onUnitPropertiesChanged((signal) => this.changed(signal));
  }

  subscribe(listener: StateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  watch(name: string): StateWatch {
    let set = this.watches.get(name);
    if (set === undefined) this.watches.set(name, (set = new Set()));
    const watches = set;
    const watch = new Watch(() => {
      watches.delete(watch);
      if (watches.size === 0) this.watches.delete(name);
    });
    watches.add(watch);
    return watch;
  }

  /** Load states read from systemd (ListUnitsByNames), to complete later signals. */
  learn(states: readonly DriverUnitState[]): void {
    for (const state of states) this.loadStates.set(state.name, state.loadState);
  }

  /**
   * systemd queued a start job for the unit, which it only does for a loaded
   * unit: its signals need no read of the load state (until the next forget).
   */
  startQueued(name: string): void {
    this.loadStates.set(name, 'loaded');
  }

  /** A daemon-reload may change any unit's load state. */
  forgetLoadStates(): void {
    this.loadStates.clear();
  }

  /** The unit was (re)loaded or unloaded: what was known about it is stale. */
  forget(name: string): void {
    this.last.delete(name);
    this.loadStates.delete(name);
  }

  close(): void {
    this.detach();
    this.listeners.clear();
  }

  private changed(signal: UnitPropertiesChangedSignal): void {
    const name = signal.name;
    if (name === undefined) return;
    // Signals that only invalidate other properties (Conditions, Asserts...) say nothing about the state.
    if (signal.changed.activeState === undefined && signal.changed.subState === undefined && signal.changed.loadState === undefined) return;
    this.notifyWatches(name, signal.changed);
    if (!this.isManaged(name)) return;
    const queue = this.queued.get(name);
    if (queue !== undefined) {
      queue.push(signal.changed);
      return;
    }
    const loadState = signal.changed.loadState ?? this.loadStates.get(name);
    if (loadState !== undefined) this.complete(name, loadState, signal.changed);
    else this.fetchLoadState(name, signal.changed);
  }

  /**
   * Watches see every signal at once, in order, even before the load state is
   * known: their ordering guarantee (nothing from before their creation)
   * depends on it. They judge ActiveState only.
   */
  private notifyWatches(name: string, changed: UnitStateProperties): void {
    const watches = this.watches.get(name);
    if (watches === undefined || changed.activeState === undefined) return;
    const loadState = changed.loadState ?? this.loadStates.get(name) ?? 'unknown';
    const state = { name, loadState, activeState: changed.activeState, subState: changed.subState ?? '' };
    for (const watch of watches) watch.push(state);
  }

  private fetchLoadState(name: string, changed: UnitStateProperties): void {
    this.queued.set(name, [changed]);
    const drain = (loadState: string | undefined): void => {
      const queue = this.queued.get(name) ?? [];
      this.queued.delete(name);
      if (loadState === undefined) return;
      this.loadStates.set(name, loadState);
      for (const item of queue) this.complete(name, item.loadState ?? loadState, item);
    };
    this.manager.listUnitsByNames([name]).then(
      ([entry]) => drain(entry?.loadState),
      () => drain(undefined), // the connection is failing; states() will report that
    );
  }

  /** Fills what a signal lacks from the last delivered state, and delivers it. */
  private complete(name: string, loadState: string, changed: UnitStateProperties): void {
    const previous = this.last.get(name);
    const activeState = changed.activeState ?? previous?.activeState;
    const subState = changed.subState ?? previous?.subState;
    if (activeState === undefined || subState === undefined) return;
    this.deliver({ name, loadState, activeState, subState });
  }

  private deliver(state: DriverUnitState): void {
    const previous = this.last.get(state.name);
    this.last.set(state.name, state);
    // systemd signals every property change (jobs, timestamps...): pass on only changes of the three states.
    if (previous !== undefined && sameState(previous, state)) return;
    for (const listener of [...this.listeners]) {
      try {
        listener(state);
      } catch {
        // one listener's bug must not starve the others
      }
    }
  }
}
