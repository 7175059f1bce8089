/**
 * Fault-handling policies handed to etcd3. etcd3's defaults retry every
 * "recoverable" error three times, writes included, which could apply a put or
 * a txn twice; and they shut an endpoint out for 5 s after three failures.
 * Here etcd3 never retries (the registry does, knowing which calls are safe to
 * repeat), and an endpoint that just failed is skipped for a short while, so
 * calls go to the other endpoints meanwhile.
 *
 * The policy objects implement the one method etcd3 calls (`execute`); they
 * are cast to cockatiel's `IPolicy` type, which etcd3's options expect.
 */
import { isRecoverableError, type IOptions } from 'etcd3';

type FaultHandling = NonNullable<IOptions['faultHandling']>;
type GlobalPolicy = NonNullable<FaultHandling['global']>;
type HostPolicy = ReturnType<NonNullable<FaultHandling['host']>>;

interface MinimalPolicy {
  execute<T>(fn: (context: { signal: AbortSignal }) => PromiseLike<T> | T): Promise<T>;
}

const CONTEXT = { signal: new AbortController().signal };

/** Thrown instead of calling an endpoint that is cooling down; etcd3 then tries the next endpoint. */
export class EndpointCoolingDown extends Error {
  constructor(host: string) {
    super(`etcd endpoint ${host} is cooling down after a failure`);
    this.name = 'EndpointCoolingDown';
  }
}

export function noRetryPolicy(): GlobalPolicy {
  const policy: MinimalPolicy = { execute: async (fn) => fn(CONTEXT) };
  return policy as unknown as GlobalPolicy;
}

/** Skips `host` for `coolDownMs` after a recoverable (network or server) failure; 0 never skips. */
export function coolDownPolicy(host: string, coolDownMs: number): HostPolicy {
  let until = 0;
  const policy: MinimalPolicy = {
    async execute(fn) {
      if (Date.now() < until) throw new EndpointCoolingDown(host);
      try {
        return await fn(CONTEXT);
      } catch (error) {
        if (coolDownMs > 0 && error instanceof Error && isRecoverableError(error)) until = Date.now() + coolDownMs;
        throw error;
      }
    },
  };
  return policy as unknown as HostPolicy;
}
