// An in-memory unit driver, so the core's agent tests run without systemd
// (the systemd plugin's own suite runs the agent on real systemd).
import type { AgentUnit, DriverUnitState, UnitDriver } from '../index.js';
import { testPlugin } from '../testing/index.js';

export interface MemoryDriver extends UnitDriver {
  /** Unit name → active state, as the fake service manager holds it. */
  readonly running: Map<string, string>;
  /** Makes `method` reject with `error` from now on. */
  fail(method: 'load' | 'start', error: unknown): void;
}

export function memoryDriver(): MemoryDriver {
  const files = new Map<string, string>();
  const running = new Map<string, string>();
  const listeners = new Set<(state: DriverUnitState) => void>();
  const failures = new Map<string, unknown>();
  const stateOf = (name: string): DriverUnitState => ({ name, loadState: files.has(name) ? 'loaded' : 'not-found', activeState: running.get(name) ?? 'inactive', subState: running.has(name) ? 'running' : 'dead' });
  const signal = (name: string): void => {
    for (const listener of listeners) listener(stateOf(name));
  };
  const failing = (method: string): void => {
    if (failures.has(method)) throw failures.get(method);
  };
  return {
    running,
    fail: (method, error) => void failures.set(method, error),
    async load(unit: AgentUnit) {
      failing('load');
      files.set(unit.name, unit.hash);
    },
    async unload(name) {
      files.delete(name);
      running.delete(name);
      signal(name);
    },
    async reload() {},
    async start(name) {
      failing('start');
      running.set(name, 'active');
      signal(name);
    },
    async stop(name) {
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

/** A driver plugin handing out `driver`. */
export const memoryDriverPlugin = (driver: UnitDriver, name = 'memory-driver') => testPlugin(name, (hooks) => hooks.createDriver.tap(() => driver));
