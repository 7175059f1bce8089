/**
 * The lease calls that need more than one unary request: keep-alive goes over
 * etcd's LeaseKeepAlive stream, one request and one answer per call.
 */
import { ErrorCodes, FleetError, type LeaseId } from '@fleetd/core';
import type { Etcd3 } from 'etcd3';
import type { CallOptions } from './calls.js';
import type { StreamSet } from './streams.js';

/** Renews `lease` once; resolves to its TTL. An answer with TTL <= 0 means the lease is gone. */
export async function keepAliveOnce(client: Etcd3, lease: LeaseId, options: CallOptions, streams: StreamSet): Promise<number> {
  const stream = await client.leaseClient.leaseKeepAlive({ deadline: options.deadline });
  streams.add(stream);
  const ttl = await new Promise<number>((resolve, reject) => {
    stream.on('data', (response) => resolve(Number(response.TTL)));
    stream.on('error', reject);
    stream.on('end', () => reject(new Error('the etcd lease keep-alive stream ended without an answer')));
    stream.write({ ID: lease });
  }).finally(() => streams.end(stream));
  if (!(ttl > 0)) throw new FleetError(ErrorCodes.REGISTRY_LEASE_NOT_FOUND, `lease ${lease} not found (expired or revoked)`);
  return ttl;
}
