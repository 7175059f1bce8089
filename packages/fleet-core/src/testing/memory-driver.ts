import type { AgentUnit, DriverUnitState, UnitDriver, UnitDropIn } from '../hooks/views.js';
import type { FleetPlugin } from '../plugin/define.js';
import { testPlugin } from './test-plugin.js';

/** A unit driver that runs nothing: units "run" in memory, with the states a service manager would report. */
export interface MemoryDriver extends UnitDriver {
  /** Unit name → active state, as the pretend service manager holds it. */
  readonly running: ReadonlyMap<string, string>;
  /** Makes `method` reject with `error` from now on (for `unit` only, when given), as a failing service manager would. */
  fail(method: 'load' | 'start', error: unknown, unit?: string): void;
  /** Undoes `fail` for `method` (and `unit`, when given). */
  recover(method: 'load' | 'start', unit?: string): void;
  /** The drop-ins installed with each loaded unit (what the agent's unitDropIns taps gave it), by unit name. */
  readonly dropIns: ReadonlyMap<string, readonly UnitDropIn[]>;
  /** Calls of `method` so far, by unit name (a unit's calls count whether they failed or not). */
  calls(method: 'load' | 'start' | 'stop' | 'unload'): readonly string[];
}

/**
 * An in-memory unit driver, for testing an agent, a host or a plugin's agent
 * hooks (beforeStart, reportState) without systemd: loads, starts and stops
 * change its state at once and are signalled to subscribers.
 */
export function memoryDriver(): MemoryDriver {
  const files = new Map<string, string>();
  const dropIns = new Map<string, readonly UnitDropIn[]>();
  const running = new Map<string, string>();
  const listeners = new Set<(state: DriverUnitState) => void>();
  const failures = new Map<string, unknown>();
  const calls = new Map<string, string[]>();
  const failureKey = (method: string, unit: string | undefined): string => (unit === undefined ? method : `${method}:${unit}`);
  const record = (method: string, name: string): void => {
    calls.set(method, [...(calls.get(method) ?? []), name]);
  };
  const stateOf = (name: string): DriverUnitState => ({
    name,
    loadState: files.has(name) ? 'loaded' : 'not-found',
    activeState: running.get(name) ?? 'inactive',
    subState: running.has(name) ? 'running' : 'dead',
  });
  const signal = (name: string): void => {
    for (const listener of listeners) listener(stateOf(name));
  };
  const failing = (method: string, name: string): void => {
    record(method, name);
    for (const key of [failureKey(method, name), method]) if (failures.has(key)) throw failures.get(key);
  };
  return {
    running,
    dropIns,
    fail: (method, error, unit) => void failures.set(failureKey(method, unit), error),
    recover: (method, unit) => void failures.delete(failureKey(method, unit)),
    calls: (method) => [...(calls.get(method) ?? [])],
    async load(unit: AgentUnit) {
      failing('load', unit.name);
      files.set(unit.name, unit.hash);
      if ((unit.dropIns ?? []).length > 0) dropIns.set(unit.name, unit.dropIns ?? []);
      else dropIns.delete(unit.name);
    },
    async unload(name) {
      record('unload', name);
      files.delete(name);
      dropIns.delete(name);
      running.delete(name);
      signal(name);
    },
    async reload() {},
    async start(name) {
      failing('start', name);
      running.set(name, 'active');
      signal(name);
    },
    async stop(name) {
      record('stop', name);
      running.delete(name);
      signal(name);
    },
    async states(names) {
      return (names ?? [...files.keys()]).map(stateOf);
    },
    async installed() {
      return new Map(files);
    },
    async subscribe(listener) {
      listeners.add(listener);
      return async () => void listeners.delete(listener);
    },
    onLost: () => () => {},
    async close() {},
  };
}

/** A driver plugin (its createDriver tap) handing out `driver`. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-arguments -- says the plugin takes no options
export function memoryDriverPlugin(driver: UnitDriver, name = 'memory-driver'): FleetPlugin<undefined> {
  return testPlugin(name, (hooks) => hooks.createDriver.tap(() => driver));
}
