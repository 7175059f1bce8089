/**
 * startTcpProxy(): a loopback TCP proxy in front of one endpoint (an etcd
 * member's client URL), to cut one client off while the server stays up: a
 * network partition of one machine, with everything else real.
 */
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';

/**
 * How a cut looks to the client. `blackhole`: connections are accepted and
 * never answered (a partition: calls time out). `refuse`: connections are
 * closed at once (the peer is down: calls fail fast).
 */
export type CutMode = 'blackhole' | 'refuse';

export interface TcpProxy {
  /** `http://127.0.0.1:<port>`: give it to the client instead of the target's URL. */
  readonly endpoint: string;
  readonly port: number;
  /** Whether the proxy is cut right now. */
  readonly isCut: boolean;
  /** Drops every open connection and handles new ones as `mode` says until `restore()`. */
  cut(mode?: CutMode): void;
  /** Forwards again; connections held while cut are dropped, so clients reconnect. */
  restore(): void;
  /** Closes the listener and every connection. Idempotent. */
  close(): Promise<void>;
}

/** Proxies `target` (a URL such as `http://127.0.0.1:2379`, or `host:port`) on a free loopback port. */
export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const { hostname, port } = parseTarget(target);
  const open = new Set<Socket>();
  let mode: CutMode | undefined;
  const track = (socket: Socket): void => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    // A reset from either side is the other side's close; nothing to report.
    socket.on('error', () => socket.destroy());
  };
  const dropAll = (): void => {
    for (const socket of open) socket.destroy();
  };
  const server = createServer((client) => {
    track(client);
    if (mode === 'refuse') return void client.destroy();
    if (mode === 'blackhole') return void client.pause();
    const upstream = createConnection({ host: hostname, port });
    track(upstream);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const listening = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${listening}`,
    port: listening,
    get isCut() {
      return mode !== undefined;
    },
    cut(how = 'blackhole') {
      mode = how;
      dropAll();
    },
    restore() {
      mode = undefined;
      dropAll();
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        dropAll();
      });
      return closed;
    },
  };
}

function parseTarget(target: string): { hostname: string; port: number } {
  const url = new URL(target.includes('://') ? target : `tcp://${target}`);
  const port = Number(url.port);
  if (url.hostname === '' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TypeError(`startTcpProxy: ${JSON.stringify(target)} is not an endpoint with a port, like http://127.0.0.1:2379`);
  }
  return { hostname: url.hostname.replace(/^\[|\]$/g, ''), port };
}
