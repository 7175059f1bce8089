import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { isFleetError } from '@fleetd/core';
import type { ErrorCode } from '@fleetd/core';

export const FIXTURES = fileURLToPath(new URL('../fixtures/cli/', import.meta.url));

/** Runs `fn` and checks it throws a FleetError with exactly this code and message. */
export function expectFleetError(fn: () => unknown, code: ErrorCode, message: string | RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(isFleetError(thrown), `expected a FleetError, got ${String(thrown)}`).toBe(true);
  if (!isFleetError(thrown)) return;
  expect(thrown.code).toBe(code);
  if (typeof message === 'string') expect(thrown.message).toBe(message);
  else expect(thrown.message).toMatch(message);
}
