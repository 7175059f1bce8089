/** The pure parts of the API's limits: warnings at most once per interval, parser errors as statuses and messages. */
import { describe, expect, it } from 'vitest';
import { clientErrorAnswer } from '../../src/api/client-error.js';
import { API_LIMIT_DEFAULTS, connectionsCheckingIntervalMs, RateLimitedWarning } from '../../src/api/limits.js';

/** A logger that keeps what it is given, and a clock the test moves. */
function recorder() {
  const lines: { fields: Record<string, unknown>; message: string }[] = [];
  const logger = { warn: (fields: Record<string, unknown>, message: string) => void lines.push({ fields, message }) };
  let now = 0;
  return { lines, logger: logger as never, clock: () => now, advance: (ms: number) => void (now += ms) };
}

describe('RateLimitedWarning', () => {
  it('warns once per key and interval, then says how many it held back', () => {
    const { lines, logger, clock, advance } = recorder();
    const warnings = new RateLimitedWarning(logger, 10_000, clock);
    for (let i = 0; i < 500; i += 1) warnings.warn('tcp:max-connections', { limit: 3 }, 'refused');
    warnings.warn('tcp:timeout', {}, 'timed out');
    expect(lines).toEqual([
      { fields: { limit: 3 }, message: 'refused' },
      { fields: {}, message: 'timed out' },
    ]);
    advance(9_999);
    warnings.warn('tcp:max-connections', { limit: 3 }, 'refused');
    expect(lines).toHaveLength(2);
    advance(1);
    warnings.warn('tcp:max-connections', { limit: 3 }, 'refused');
    // 499 held back in the first interval, 1 more at 9,999 ms, and this one: 501 since the last line.
    expect(lines[2]).toEqual({ fields: { limit: 3, sinceLastWarning: 501 }, message: 'refused' });
  });

  it('logs nothing, and fails nothing, without a logger', () => {
    expect(() => new RateLimitedWarning(undefined).warn('k', {}, 'm')).not.toThrow();
  });
});

describe('clientErrorAnswer', () => {
  const timeouts = { headersTimeoutMs: 10_000, requestTimeoutMs: 60_000, keepAliveTimeoutMs: 5_000 };
  it.each([
    {
      name: 'a timeout',
      error: Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }),
      answer: { status: 408, reason: 'timeout', message: 'request not received in time: headers are due within 10000 ms, the whole request within 60000 ms' },
    },
    {
      name: 'headers too large',
      error: Object.assign(new Error('Header overflow'), { code: 'HPE_HEADER_OVERFLOW' }),
      answer: { status: 431, reason: 'headers-too-large', message: 'request headers are larger than 16384 bytes' },
    },
    {
      name: 'a parser error with its reason',
      error: Object.assign(new Error('Parse Error: Invalid method encountered'), { code: 'HPE_INVALID_METHOD', reason: 'Invalid method encountered' }),
      answer: { status: 400, reason: 'bad-request', message: 'malformed HTTP request: Invalid method encountered' },
    },
    {
      name: 'a parser error without a reason',
      error: Object.assign(new Error('Parse Error: Invalid EOF state'), { code: 'HPE_INVALID_EOF_STATE' }),
      answer: { status: 400, reason: 'bad-request', message: 'malformed HTTP request: Invalid EOF state' },
    },
  ])('$name', ({ error, answer }) => {
    expect(clientErrorAnswer(error, timeouts, 16_384)).toEqual(answer);
  });
});

describe('limits', () => {
  it('has the documented defaults', () => {
    expect(API_LIMIT_DEFAULTS).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 60_000,
      keepAliveTimeoutMs: 5_000,
      maxConnections: 256,
      maxConnectionsPerClient: 32,
    });
  });

  it.each([
    { headersTimeoutMs: 10_000, interval: 1000 },
    { headersTimeoutMs: 1500, interval: 750 },
    { headersTimeoutMs: 20, interval: 50 },
  ])('checks for late headers every $interval ms with a header timeout of $headersTimeoutMs ms', ({ headersTimeoutMs, interval }) => {
    expect(connectionsCheckingIntervalMs({ headersTimeoutMs, requestTimeoutMs: 60_000, keepAliveTimeoutMs: 5000 })).toBe(interval);
  });
});
