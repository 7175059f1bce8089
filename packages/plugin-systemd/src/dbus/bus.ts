/**
 * One D-Bus connection, spoken to with raw messages rather than dbus-next's
 * proxy objects: a proxy costs an Introspect round trip per object and gives
 * untyped methods, while the driver needs a handful of calls whose signatures
 * are fixed by systemd's API.
 *
 * dbus-next gaps this class closes:
 * - a call whose reply never comes (the peer died, the socket closed) never
 *   settles: every call here has a timeout, and a lost connection rejects
 *   every pending call at once;
 * - connection errors are emitted as 'error' events, which crash the process
 *   when nobody listens: this class always listens.
 */
import { EventEmitter } from 'node:events';
import dbus from 'dbus-next';
import type { MessageBus } from 'dbus-next';

export interface MethodCall {
  readonly destination: string;
  readonly path: string;
  readonly interface: string;
  readonly member: string;
  /** D-Bus signature of `body`; omitted for calls without arguments. */
  readonly signature?: string;
  readonly body?: readonly unknown[];
}

export interface SignalMessage {
  readonly path: string;
  readonly interface: string;
  readonly member: string;
  readonly body: readonly unknown[];
}

/** The peer answered a call with a D-Bus error (`type` is its error name). */
export class DBusCallError extends Error {
  override readonly name = 'DBusCallError';
  constructor(
    readonly type: string,
    readonly text: string,
    readonly member: string,
  ) {
    super(`${member}: ${text || type} (${type})`);
  }
}

/** The connection is gone (closed by us, or lost); nothing more can be sent on it. */
export class BusClosedError extends Error {
  override readonly name = 'BusClosedError';
}

/** A call got no answer in time. */
export class DBusTimeoutError extends Error {
  override readonly name = 'DBusTimeoutError';
}

/** Minimal shape of dbus-next's internal connection, used only to learn that the socket ended. */
interface InternalConnection {
  once(event: 'end', listener: () => void): unknown;
}

/** A bus address for dbus-next: `unix:path=...`, or the system bus when undefined. */
function createBus(address: string | undefined): MessageBus {
  return address === undefined ? dbus.systemBus() : dbus.sessionBus({ busAddress: address });
}

export class BusConnection {
  private readonly pending = new Set<(error: Error) => void>();
  private readonly lostListeners = new Set<(error: Error) => void>();
  private readonly signals = new EventEmitter();
  private failure: Error | undefined;

  private constructor(
    private readonly bus: MessageBus,
    readonly address: string,
  ) {
    bus.on('error', (error: unknown) => this.lose(error));
    // dbus-next does not forward the socket's end; without this a dead peer is only noticed by timeouts.
    const connection = (bus as unknown as { _connection?: InternalConnection })._connection;
    connection?.once('end', () => this.lose(new Error('the bus closed the connection')));
    bus.on('message', (message: { type: number; path: string; interface: string; member: string; body: unknown }) => {
      if (message.type !== dbus.MessageType.SIGNAL) return;
      const body = Array.isArray(message.body) ? (message.body as readonly unknown[]) : [];
      this.signals.emit('signal', { path: message.path, interface: message.interface, member: message.member, body });
    });
    this.signals.setMaxListeners(0);
  }

  /** Connects and says Hello; rejects when the bus does not answer within `timeoutMs`. */
  static async open(address: string | undefined, timeoutMs: number): Promise<BusConnection> {
    const shown = address ?? 'the system bus';
    let bus: MessageBus;
    try {
      bus = createBus(address);
    } catch (error) {
      throw new BusClosedError(`cannot connect to ${shown}: ${(error as Error).message}`, { cause: error });
    }
    const connection = new BusConnection(bus, shown);
    try {
      await connection.untilConnected(bus, timeoutMs);
      return connection;
    } catch (error) {
      connection.close();
      // Never connected: "connection lost" would mislead; the socket's own error (connect ENOENT <path>) stays the cause.
      if (error instanceof BusClosedError && error.cause instanceof Error) {
        throw new BusClosedError(`cannot connect to ${shown}: ${error.cause.message}`, { cause: error.cause });
      }
      throw error;
    }
  }

  /** The reason the connection is unusable, or undefined while it works. */
  get lost(): Error | undefined {
    return this.failure;
  }

  /** Sends a method call and resolves to the reply's body. */
  async call(call: MethodCall, timeoutMs: number): Promise<readonly unknown[]> {
    if (this.failure !== undefined) throw this.failure;
    const message = new dbus.Message({
      destination: call.destination,
      path: call.path,
      interface: call.interface,
      member: call.member,
      ...(call.signature === undefined ? {} : { signature: call.signature, body: [...(call.body ?? [])] }),
    });
    const reply = await this.withDeadline(this.bus.call(message), timeoutMs, `${call.member} got no reply within ${timeoutMs} ms`).catch((error: unknown) => {
      throw error instanceof dbus.DBusError ? new DBusCallError(error.type, error.text, call.member) : error;
    });
    const body: unknown = reply?.body;
    return Array.isArray(body) ? (body as readonly unknown[]) : [];
  }

  /** Calls `handler` for every signal this connection receives (after a matching AddMatch). */
  onSignal(handler: (signal: SignalMessage) => void): () => void {
    const guarded = (signal: SignalMessage): void => {
      try {
        handler(signal);
      } catch {
        // A malformed signal (or a throwing listener) must not break delivery to the others;
        // signals only hint at changes, states() stays the source of truth.
      }
    };
    this.signals.on('signal', guarded);
    return () => this.signals.off('signal', guarded);
  }

  /** Calls `listener` once when the connection becomes unusable (closed or lost). */
  onLost(listener: (error: Error) => void): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  /** Asks the bus daemon to route signals matching `rule` to this connection. */
  async addMatch(rule: string, timeoutMs: number): Promise<void> {
    await this.call(
      {
        destination: 'org.freedesktop.DBus',
        path: '/org/freedesktop/DBus',
        interface: 'org.freedesktop.DBus',
        member: 'AddMatch',
        signature: 's',
        body: [rule],
      },
      timeoutMs,
    );
  }

  close(): void {
    if (this.failure === undefined) this.lose(new BusClosedError(`the connection to ${this.address} was closed`));
    this.signals.removeAllListeners();
    try {
      this.bus.disconnect();
    } catch {
      // the socket is already gone
    }
  }

  private untilConnected(bus: MessageBus, timeoutMs: number): Promise<void> {
    return this.withDeadline(
      new Promise<void>((resolve) => bus.once('connect', () => resolve())),
      timeoutMs,
      `no answer from ${this.address} within ${timeoutMs} ms`,
    );
  }

  /** Settles with `promise`, or rejects on timeout or when the connection is lost meanwhile. */
  private withDeadline<T>(promise: Promise<T>, timeoutMs: number, timeoutMessage: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => settle(() => reject(new DBusTimeoutError(timeoutMessage))), timeoutMs);
      const onLost = (error: Error): void => settle(() => reject(error));
      const settle = (action: () => void): void => {
        clearTimeout(timer);
        this.pending.delete(onLost);
        action();
      };
      this.pending.add(onLost);
      promise.then(
        (value) => settle(() => resolve(value)),
        (error: unknown) => settle(() => reject(error)),
      );
    });
  }

  private lose(error: unknown): void {
    if (this.failure !== undefined) return;
    const reason = error instanceof Error ? error.message : String(error);
    this.failure = error instanceof BusClosedError ? error : new BusClosedError(`connection to ${this.address} lost: ${reason}`, { cause: error });
    for (const reject of [...this.pending]) reject(this.failure);
    this.pending.clear();
    for (const listener of [...this.lostListeners]) listener(this.failure);
    this.lostListeners.clear();
  }
}
