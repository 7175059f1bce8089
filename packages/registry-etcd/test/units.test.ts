/**
 * The pure parts: error mapping, retry rules, prefix ranges, option checks.
 * No etcd needed.
 */
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ErrorCodes, FleetError } from '@fleetd/core';
import { EtcdLeaseInvalidError, GRPCDeadlineExceededError, GRPCUnavailableError } from 'etcd3';
import { createEtcdRegistry, type EtcdRegistryOptions } from '../src/index.js';
import { canRetry, toFleetError } from '../src/errors.js';
import { prefixRange } from '../src/keys.js';
import { resolveOptions } from '../src/options.js';

describe('error mapping', () => {
  it.each([
    ['3 INVALID_ARGUMENT: etcdserver: duplicate key given in txn request', ErrorCodes.REGISTRY_INVALID_ARGUMENT],
    ['3 INVALID_ARGUMENT: etcdserver: key is not provided', ErrorCodes.REGISTRY_INVALID_ARGUMENT],
    ['11 OUT_OF_RANGE: etcdserver: mvcc: required revision is a future revision', ErrorCodes.REGISTRY_INVALID_ARGUMENT],
    ['11 OUT_OF_RANGE: etcdserver: too large lease TTL', ErrorCodes.REGISTRY_INVALID_ARGUMENT],
    ['3 INVALID_ARGUMENT: etcdserver: request is too large', ErrorCodes.REGISTRY_INVALID_ARGUMENT],
    ['8 RESOURCE_EXHAUSTED: grpc: received message larger than max (3145757 vs. 2097152)', ErrorCodes.REGISTRY_INVALID_ARGUMENT],
    ['3 INVALID_ARGUMENT: etcdserver: too many operations in txn request', ErrorCodes.REGISTRY_TXN_TOO_LARGE],
    ['5 NOT_FOUND: etcdserver: requested lease not found', ErrorCodes.REGISTRY_LEASE_NOT_FOUND],
    ['11 OUT_OF_RANGE: etcdserver: mvcc: required revision has been compacted', ErrorCodes.REGISTRY_COMPACTED],
    ['14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED 127.0.0.1:1', ErrorCodes.REGISTRY_UNAVAILABLE],
    ['4 DEADLINE_EXCEEDED: Deadline exceeded', ErrorCodes.REGISTRY_UNAVAILABLE],
    ['3 INVALID_ARGUMENT: etcdserver: authentication failed, invalid user ID or password', ErrorCodes.REGISTRY_UNAVAILABLE],
    ['7 PERMISSION_DENIED: etcdserver: permission denied', ErrorCodes.REGISTRY_UNAVAILABLE],
    ['something nobody expected', ErrorCodes.REGISTRY_UNAVAILABLE],
  ])('%s → %s', (message, code) => {
    const cause = new Error(message);
    const error = toFleetError(cause, 'put', 1000);
    expect(error).toBeInstanceOf(FleetError);
    expect(error.code).toBe(code);
    expect(error.cause).toBe(cause);
    expect(error.message).toMatch(/^etcd put: /);
  });

  it('reads etcd3’s own error classes by their message too', () => {
    expect(toFleetError(new EtcdLeaseInvalidError('etcdserver: requested lease not found'), 'revokeLease', 1000)).toMatchObject({
      code: ErrorCodes.REGISTRY_LEASE_NOT_FOUND,
      message: 'etcd revokeLease: requested lease not found',
    });
  });

  it('says which timeout ran out', () => {
    const error = toFleetError(new GRPCDeadlineExceededError('4 DEADLINE_EXCEEDED: Deadline exceeded'), 'get', 250);
    expect(error.message).toContain('no answer within 250 ms');
  });

  it('passes FleetErrors through', () => {
    const original = new FleetError(ErrorCodes.REGISTRY_CLOSED, 'closed');
    expect(toFleetError(original, 'get', 1000)).toBe(original);
  });
});

describe('retry rules', () => {
  const refused = new GRPCUnavailableError('14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED');
  const dropped = new GRPCUnavailableError('14 UNAVAILABLE: Connection dropped');
  const deadline = new GRPCDeadlineExceededError('4 DEADLINE_EXCEEDED: Deadline exceeded');
  const leaderChanged = new Error('etcdserver: leader changed');
  const compacted = new Error('etcdserver: mvcc: required revision has been compacted');
  it.each([
    { name: 'connection refused', error: refused, idempotent: true, write: true },
    { name: 'connection dropped mid-call (a write may have been applied)', error: dropped, idempotent: true, write: false },
    { name: 'deadline exceeded', error: deadline, idempotent: true, write: false },
    { name: 'leader changed', error: leaderChanged, idempotent: true, write: false },
    { name: 'no leader (refused before the raft log)', error: new Error('etcdserver: no leader'), idempotent: true, write: true },
    { name: 'an answer from etcd', error: compacted, idempotent: false, write: false },
  ])('$name: idempotent calls retry: $idempotent, writes retry: $write', ({ error, idempotent, write }) => {
    expect(canRetry(error, 'idempotent')).toBe(idempotent);
    expect(canRetry(error, 'write')).toBe(write);
  });
});

describe('prefix ranges', () => {
  it.each([
    { prefix: '', key: [0], end: [0] },
    { prefix: 'a', key: [0x61], end: [0x62] },
    { prefix: '/units/', key: [...Buffer.from('/units/')], end: [...Buffer.from('/units0')] },
    // é is C3 A9: the last byte is incremented.
    { prefix: 'é', key: [0xc3, 0xa9], end: [0xc3, 0xaa] },
    // U+10FFFF is F4 8F BF BF: UTF-8 never has an 0xff byte, so the last byte always increments.
    { prefix: '\u{10FFFF}', key: [0xf4, 0x8f, 0xbf, 0xbf], end: [0xf4, 0x8f, 0xbf, 0xc0] },
  ])('prefix $prefix', ({ prefix, key, end }) => {
    const range = prefixRange(prefix);
    expect([...range.key]).toEqual(key);
    expect([...range.range_end]).toEqual(end);
  });
});

describe('prefix ranges (property)', () => {
  const inRange = (key: string, prefix: string): boolean => {
    const bytes = Buffer.from(key);
    const range = prefixRange(prefix);
    const everything = range.range_end.equals(Buffer.from([0]));
    return Buffer.compare(bytes, range.key) >= 0 && (everything || Buffer.compare(bytes, range.range_end) < 0);
  };
  const text = (maxLength: number) => fc.string({ unit: 'binary', minLength: 0, maxLength });

  it('a key is in the range exactly when it starts with the prefix', () => {
    fc.assert(
      fc.property(text(4), text(6), text(6), (prefix, suffix, other) => {
        fc.pre(prefix + suffix !== '' && other !== '');
        expect(inRange(prefix + suffix, prefix)).toBe(true);
        expect(inRange(other, prefix)).toBe(other.startsWith(prefix));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('options', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleetd-etcd-options-'));
  const pem = join(dir, 'ca.pem');
  writeFileSync(pem, '-----BEGIN CERTIFICATE-----\n');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults to the local etcd with fleet’s 1 s request timeout', () => {
    const resolved = resolveOptions({});
    expect(resolved.endpoints).toEqual(['http://127.0.0.1:2379']);
    expect(resolved.requestTimeoutMs).toBe(1000);
    expect(resolved.dialTimeoutMs).toBe(3000);
  });

  it('reads TLS files', () => {
    const resolved = resolveOptions({ endpoints: ['https://127.0.0.1:2379'], tls: { caFile: pem } });
    expect(resolved.client.credentials?.rootCertificate.toString()).toContain('BEGIN CERTIFICATE');
  });

  it.each<{ name: string; options: unknown; message: RegExp }>([
    { name: 'no endpoints', options: { endpoints: [] }, message: /non-empty array/ },
    { name: 'an endpoint without a scheme', options: { endpoints: ['127.0.0.1:2379'] }, message: /is not a URL/ },
    { name: 'mixed schemes', options: { endpoints: ['http://a:1', 'https://b:1'] }, message: /mix http/ },
    { name: 'TLS with http endpoints', options: { endpoints: ['http://a:1'], tls: { ca: 'x' } }, message: /need https/ },
    { name: 'a zero request timeout', options: { requestTimeoutMs: 0 }, message: /requestTimeoutMs/ },
    { name: 'a fractional dial timeout', options: { dialTimeoutMs: 1.5 }, message: /dialTimeoutMs/ },
    { name: 'auth without a password', options: { auth: { username: 'root' } }, message: /username and a password/ },
    { name: 'a certificate without its key', options: { endpoints: ['https://a:1'], tls: { cert: 'x' } }, message: /both a client certificate and its key/ },
    { name: 'ca and caFile both', options: { endpoints: ['https://a:1'], tls: { ca: 'x', caFile: pem } }, message: /not both/ },
    {
      name: 'a missing TLS file (named in the error)',
      options: { endpoints: ['https://a:1'], tls: { caFile: join(dir, 'nope.pem') } },
      message: /cannot read TLS caFile ".*nope\.pem": ENOENT/,
    },
  ])('rejects $name with REGISTRY_INVALID_ARGUMENT', ({ options, message }) => {
    let thrown: unknown;
    try {
      createEtcdRegistry(options as EtcdRegistryOptions);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ name: 'FleetError', code: ErrorCodes.REGISTRY_INVALID_ARGUMENT });
    expect((thrown as Error).message).toMatch(message);
  });
});
