import { describe, expect, it } from 'vitest';
import { LOAD_RETRY_FIRST_MS, LOAD_RETRY_MAX_MS, LoadBackoff, loadFailureMessage, loadRetryDelay } from './load-backoff.js';

describe('loadRetryDelay', () => {
  it.each([
    { name: 'first failure: 5 s', attempts: 1, expected: 5_000 },
    { name: 'second: 10 s', attempts: 2, expected: 10_000 },
    { name: 'third: 20 s', attempts: 3, expected: 20_000 },
    { name: 'seventh: 320 s capped at 5 min', attempts: 7, expected: 300_000 },
    { name: 'hundredth: still 5 min', attempts: 100, expected: 300_000 },
  ])('$name', ({ attempts, expected }) => {
    expect(loadRetryDelay(attempts)).toBe(expected);
  });

  it('starts at LOAD_RETRY_FIRST_MS and never passes LOAD_RETRY_MAX_MS', () => {
    expect([LOAD_RETRY_FIRST_MS, LOAD_RETRY_MAX_MS]).toEqual([5_000, 300_000]);
    for (let attempts = 1; attempts < 40; attempts++) expect(loadRetryDelay(attempts)).toBeLessThanOrEqual(LOAD_RETRY_MAX_MS);
  });
});

describe('LoadBackoff', () => {
  it('a unit never tried, or tried without failing, is due', () => {
    const backoff = new LoadBackoff();
    expect(backoff.due('a.service', 'h1', 0)).toBe(true);
    backoff.failed('a.service', 'h1', 'disk full', 0);
    backoff.succeeded('a.service');
    expect(backoff.due('a.service', 'h1', 0)).toBe(true);
    expect(backoff.get('a.service')).toBeUndefined();
  });

  it('waits 5 s after the first failure, then doubles the pause per failure of the same version', () => {
    const backoff = new LoadBackoff();
    const first = backoff.failed('a.service', 'h1', 'ENAMETOOLONG', 1_000);
    expect(first).toEqual({ hash: 'h1', attempts: 1, reason: 'ENAMETOOLONG', retryAt: 6_000, delayMs: 5_000 });
    expect(backoff.due('a.service', 'h1', 5_999)).toBe(false);
    expect(backoff.due('a.service', 'h1', 6_000)).toBe(true);
    expect(backoff.failed('a.service', 'h1', 'ENAMETOOLONG', 6_000)).toMatchObject({ attempts: 2, retryAt: 16_000, delayMs: 10_000 });
    expect(backoff.failed('a.service', 'h1', 'ENAMETOOLONG', 16_000)).toMatchObject({ attempts: 3, retryAt: 36_000, delayMs: 20_000 });
  });

  it('regression: a new version of the unit is tried at once and its back-off starts over', () => {
    const backoff = new LoadBackoff();
    backoff.failed('a.service', 'h1', 'bad', 0);
    backoff.failed('a.service', 'h1', 'bad', 5_000);
    expect(backoff.due('a.service', 'h2', 5_001)).toBe(true);
    expect(backoff.failed('a.service', 'h2', 'bad', 5_001)).toMatchObject({ attempts: 1, delayMs: 5_000 });
  });

  it('prune forgets units no longer wanted in the failed version and names them', () => {
    const backoff = new LoadBackoff();
    for (const name of ['gone.service', 'replaced.service', 'kept.service']) backoff.failed(name, 'h1', 'bad', 0);
    const wanted = new Map([
      ['replaced.service', { hash: 'h2' }],
      ['kept.service', { hash: 'h1' }],
    ]);
    expect(backoff.prune(wanted)).toEqual(['gone.service', 'replaced.service']);
    expect(backoff.get('kept.service')).toMatchObject({ attempts: 1 });
    expect(backoff.get('gone.service')).toBeUndefined();
  });
});

describe('loadFailureMessage', () => {
  it.each([
    { name: 'first attempt', attempts: 1, delayMs: 5_000, expected: 'load failed: ENAMETOOLONG (first attempt; next in 5 s)' },
    { name: 'later attempt', attempts: 4, delayMs: 40_000, expected: 'load failed: ENAMETOOLONG (attempt 4; next in 40 s)' },
  ])('$name', ({ attempts, delayMs, expected }) => {
    expect(loadFailureMessage({ hash: 'h', attempts, reason: 'ENAMETOOLONG', retryAt: 0, delayMs })).toBe(expected);
  });
});
