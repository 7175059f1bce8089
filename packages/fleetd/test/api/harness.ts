/**
 * A real API over a real socket (and TCP when asked) on the embedded
 * registry, with fleet's plugins; agents are played by writing presence and
 * state keys with the core codecs, placements come from a real Engine.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemblePlugins, createMemoryRegistry, createUnit } from '@fleetd/core';
import { decodeUnit, Engine, encodeUnitState, FleetStore, MachinePresence } from '@fleetd/core/unstable';
import type { PluginEntry, PluginHost, Registry, UnitState } from '@fleetd/core';
import { waitFor } from '@fleetd/core/testing';
import { freePorts } from '@fleetd/registry-etcd/testing';
import { fleetPreset } from '@fleetd/preset-fleet';
import { startApiServer } from '../../src/api/index.js';
import type { ApiServer, ApiServerOptions, ApiTcpOptions } from '../../src/api/index.js';
import { createFleetService } from '../../src/service/index.js';
import type { FleetServiceOptions } from '../../src/service/index.js';

export const SERVICE = '[Service]\nExecStart=/bin/sleep infinity\n';
export const PREFIX = '/fleetd/';

export interface Response {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  readonly json: unknown;
}

export interface Target {
  readonly socketPath?: string | undefined;
  readonly url?: string | undefined;
  /** Extra node:https options (ca, cert, key). */
  readonly tls?: { readonly ca?: string; readonly cert?: string; readonly key?: string };
}

export interface RequestOptions {
  readonly body?: unknown;
  /** Sent as is (a string or Buffer); wins over `body`. */
  readonly raw?: string | Buffer;
  readonly headers?: Record<string, string>;
}

/** One request over node:http (or https), never fastify.inject: the real listener answers. */
export function send(target: Target, method: string, path: string, options: RequestOptions = {}): Promise<Response> {
  const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const headers: Record<string, string> = {
    ...(options.body !== undefined && options.raw === undefined ? { 'content-type': 'application/json' } : {}),
    ...(payload === undefined ? {} : { 'content-length': String(Buffer.byteLength(payload)) }),
    ...options.headers,
  };
  const url = target.url === undefined ? undefined : new URL(path, target.url);
  const base = url === undefined ? { socketPath: target.socketPath, path } : { hostname: url.hostname, port: url.port, path: url.pathname + url.search };
  const secure = url?.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const request = (secure ? httpsRequest : httpRequest)({ ...base, method, headers, ...(target.tls ?? {}) }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text === '' ? undefined : JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json });
      });
    });
    request.on('error', reject);
    if (payload !== undefined) request.write(payload);
    request.end();
  });
}

/**
 * Bytes written as they are on a fresh connection, for what node:http would
 * never send (bad escapes, lying lengths, huge headers). Resolves with
 * everything the server wrote once it closes the connection (`end`: the
 * client half-closes after writing).
 */
export function sendRaw(socketPath: string, bytes: string | Buffer, options: { readonly end?: boolean | undefined } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path: socketPath });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.write(bytes);
    if (options.end === true) socket.end();
  });
}

/** A raw HTTP answer's status line and parsed JSON body. */
export function parseRaw(answer: string): { statusLine: string; json: unknown } {
  const [head = '', body = ''] = answer.split('\r\n\r\n', 2);
  return { statusLine: head.split('\r\n', 1)[0] ?? '', json: body === '' ? undefined : JSON.parse(body) };
}

export interface HarnessOptions {
  readonly tcp?: Omit<ApiTcpOptions, 'host' | 'port'> & { readonly port?: number };
  readonly socket?: boolean;
  readonly pageSize?: number;
  readonly bodyLimitBytes?: number;
  readonly service?: Partial<FleetServiceOptions>;
  /** Default: fleet's plugins. */
  readonly plugins?: readonly PluginEntry[];
  /** Serve the dashboard at /ui/. Default false, as startApiServer's. */
  readonly dashboard?: boolean;
}

export class Harness {
  readonly cleanups: (() => Promise<void>)[] = [];
  readonly store: FleetStore;

  private constructor(
    readonly registry: Registry,
    readonly host: PluginHost,
    readonly dir: string,
    readonly server: ApiServer,
  ) {
    this.store = new FleetStore(registry, PREFIX);
  }

  static async start(options: HarnessOptions = {}): Promise<Harness> {
    const dir = await mkdtemp(join(tmpdir(), 'fleetd-api-'));
    const registry = createMemoryRegistry();
    await new FleetStore(registry, PREFIX).ensureSchema();
    const host = await assemblePlugins(options.plugins ?? fleetPreset());
    const service = createFleetService({
      registry,
      keyPrefix: PREFIX,
      host,
      mode: 'standalone',
      machineId: 'm1',
      version: '0.1.0-test',
      agentEnabled: true,
      ...options.service,
    });
    const serverOptions: ApiServerOptions = {
      service,
      pageSize: options.pageSize ?? 100,
      bodyLimitBytes: options.bodyLimitBytes ?? 1024 * 1024,
      ...(options.dashboard === undefined ? {} : { dashboard: options.dashboard }),
      ...(options.socket === false ? {} : { socket: { path: join(dir, 'run', 'fleetd.sock'), mode: 0o660 } }),
      ...(options.tcp === undefined ? {} : { tcp: { host: '127.0.0.1', port: 0, ...options.tcp } }),
    };
    const server = await startApiServer(serverOptions);
    const harness = new Harness(registry, host, dir, server);
    harness.cleanups.push(
      () => server.close(),
      () => registry.close(),
      () => rm(dir, { recursive: true, force: true }),
      // Cleanups run last first: the live feed stops before the server and registry go.
      () => service.close(),
    );
    return harness;
  }

  get socket(): Target {
    return { socketPath: this.server.socketPath };
  }

  request(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    return send(this.socket, method, path, options);
  }

  /** An agent announcing its machine (presence key under a lease). */
  async machine(id: string, metadata: Record<string, string> = {}, publicIP?: string): Promise<MachinePresence> {
    const presence = await MachinePresence.announce({
      registry: this.registry,
      keyPrefix: PREFIX,
      ttlSeconds: 60,
      machine: { id, metadata, ...(publicIP === undefined ? {} : { publicIP }) },
    });
    this.cleanups.push(() => presence.withdraw());
    return presence;
  }

  /** An agent reporting a unit's state; by default of the version stored (its hash), else of a version no longer stored (`h`). */
  async report(state: Omit<UnitState, 'hash' | 'loadState' | 'subState'> & Partial<UnitState>): Promise<void> {
    const stored = await this.registry.get(this.store.layout.unit(state.name));
    const hash = stored === undefined ? 'h' : decodeUnit(stored.key, state.name, stored.value).hash;
    const full: UnitState = { hash, loadState: 'loaded', subState: state.activeState === 'active' ? 'running' : 'dead', ...state };
    await this.registry.put(this.store.layout.state(full.machineId, full.name), encodeUnitState(full));
  }

  async submit(name: string, desiredState: 'inactive' | 'loaded' | 'launched' = 'launched', contents = SERVICE): Promise<void> {
    await this.store.submitUnit(createUnit({ name, contents, desiredState }));
  }

  /** A real engine on the same registry, running until the harness stops. */
  async startEngine(): Promise<Engine> {
    const engine = new Engine({ registry: this.registry, host: this.host, id: 'engine', keyPrefix: PREFIX, leaseTtlSeconds: 5, reconcileIntervalMs: 100 });
    await engine.start();
    this.cleanups.push(() => engine.stop());
    return engine;
  }

  /** A real engine on the same registry, run until `units` are placed. */
  async placeWithEngine(...units: string[]): Promise<Record<string, string>> {
    const engine = new Engine({ registry: this.registry, host: this.host, id: 'engine', keyPrefix: PREFIX, leaseTtlSeconds: 5, reconcileIntervalMs: 100 });
    await engine.start();
    try {
      await waitFor(
        async () => {
          const placed = await this.placementsNow();
          return units.every((unit) => placed[unit] !== undefined);
        },
        `placements of ${units.join(', ')}`,
        5000,
      );
      return await this.placementsNow();
    } finally {
      await engine.stop();
    }
  }

  async placementsNow(): Promise<Record<string, string>> {
    const { items } = await this.registry.list(this.store.layout.placements);
    return Object.fromEntries(items.map((kv) => [kv.key.slice(this.store.layout.placements.length), (JSON.parse(kv.value) as { machine: string }).machine]));
  }

  /** Every key and value, to show that a refused request changed nothing. */
  async dump(): Promise<Record<string, string>> {
    const { items } = await this.registry.list('');
    return Object.fromEntries(items.map((kv) => [kv.key, kv.value]));
  }

  async stop(): Promise<void> {
    for (const cleanup of this.cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  }
}

/** A TCP port the kernel just handed out and took back (the config wants 1-65535, not 0). */
export const freePort = async (): Promise<number> => (await freePorts(1))[0] as number;
