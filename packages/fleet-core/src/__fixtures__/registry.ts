// A registry wrapper for engine tests: counts calls, fails on demand, and
// can break open watches, in front of the real memory registry.
import { ErrorCodes, FleetError } from '../errors.js';
import type { Registry, WatchOptions, Watcher } from '../registry/types.js';

type Method = 'get' | 'list' | 'put' | 'delete' | 'deletePrefix' | 'txn' | 'grantLease' | 'keepAlive' | 'revokeLease' | 'watch' | 'compact';

export class InstrumentedRegistry implements Registry {
  readonly calls = new Map<Method, number>();
  /** Methods that reject with REGISTRY_UNAVAILABLE while listed. */
  readonly failing = new Set<Method>();
  private readonly watches = new Set<WatchOptions>();

  constructor(readonly inner: Registry) {}

  count(...methods: Method[]): number {
    return methods.reduce((sum, method) => sum + (this.calls.get(method) ?? 0), 0);
  }

  resetCounts(): void {
    this.calls.clear();
  }

  /** Every open watch is told its stream broke, as after a network blip. */
  breakWatches(error = new FleetError(ErrorCodes.REGISTRY_UNAVAILABLE, 'watch stream broke')): void {
    for (const options of [...this.watches]) {
      this.watches.delete(options);
      options.onError(error);
    }
  }

  get = this.wrap('get', (key: string) => this.inner.get(key));
  list = this.wrap('list', (prefix: string) => this.inner.list(prefix));
  put = this.wrap('put', (key: string, value: string, options?: { readonly lease?: string }) => this.inner.put(key, value, options));
  delete = this.wrap('delete', (key: string) => this.inner.delete(key));
  deletePrefix = this.wrap('deletePrefix', (prefix: string) => this.inner.deletePrefix(prefix));
  txn = this.wrap('txn', (txn: Parameters<Registry['txn']>[0]) => this.inner.txn(txn));
  grantLease = this.wrap('grantLease', (ttl: number) => this.inner.grantLease(ttl));
  keepAlive = this.wrap('keepAlive', (lease: string) => this.inner.keepAlive(lease));
  revokeLease = this.wrap('revokeLease', (lease: string) => this.inner.revokeLease(lease));
  compact = this.wrap('compact', (revision: number) => this.inner.compact(revision));
  watch = this.wrap('watch', async (prefix: string, options: WatchOptions): Promise<Watcher> => {
    let open = true;
    const tracked: WatchOptions = {
      fromRevision: options.fromRevision,
      onEvents: (events, revision) => {
        if (open) options.onEvents(events, revision);
      },
      onError: (error) => {
        if (!open) return;
        open = false;
        options.onError(error);
      },
    };
    const inner = await this.inner.watch(prefix, tracked);
    this.watches.add(tracked);
    return {
      close: async () => {
        open = false;
        this.watches.delete(tracked);
        await inner.close();
      },
    };
  });

  close(): Promise<void> {
    return this.inner.close();
  }

  private wrap<A extends unknown[], R>(method: Method, call: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
    return async (...args: A) => {
      this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
      if (this.failing.has(method)) throw new FleetError(ErrorCodes.REGISTRY_UNAVAILABLE, `${method}: registry unreachable (test)`);
      return call(...args);
    };
  }
}
