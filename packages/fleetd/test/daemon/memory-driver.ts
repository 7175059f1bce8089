/**
 * An in-memory unit driver as a plugin, so the daemon's own wiring (logs,
 * metrics, plugin errors) is tested in-process in milliseconds; the daemon
 * on real systemd is tested by standalone.test.ts and cluster.test.ts.
 */
import type { AgentUnit, DriverUnitState, UnitDriver } from '@fleetd/core';
import { testPlugin } from '@fleetd/core/testing';

export interface MemoryDriver extends UnitDriver {
  /** Makes `method` reject with `error` from now on. */
  fail(method: 'load' | 'start', error: unknown): void;
}

export function memoryDriver(): MemoryDriver {
  const files = new Map<string, string>();
  const running = new Set<string>();
  const listeners = new Set<(state: DriverUnitState) => void>();
  const failures = new Map<string, unknown>();
  const stateOf = (name: string): DriverUnitState => ({
    name,
    loadState: files.has(name) ? 'loaded' : 'not-found',
    activeState: running.has(name) ? 'active' : 'inactive',
    subState: running.has(name) ? 'running' : 'dead',
  });
  const signal = (name: string): void => {
    for (const listener of listeners) listener(stateOf(name));
  };
  const failing = (method: string): void => {
    if (failures.has(method)) throw failures.get(method);
  };
  return {
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
      running.add(name);
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
