/** Feed records for the tests: every field filled in, overridable. */
import type { DashEvent, DashMachine, DashUnit } from '../../src/feed.js';

export function machine(id: string, overrides: Partial<DashMachine> = {}): DashMachine {
  return { id, primaryIP: '10.0.0.1', metadata: {}, facts: {}, units: 0, ...overrides };
}

export function unit(name: string, overrides: Partial<DashUnit> = {}): DashUnit {
  return { name, desiredState: 'launched', currentState: 'launched', global: false, template: false, hash: '', states: [], ...overrides };
}

export function event(id: number, overrides: Partial<DashEvent> = {}): DashEvent {
  return { id, time: '2025-01-01T00:00:00.000Z', kind: 'placed', message: `event ${id}`, ...overrides };
}
