/**
 * startEtcd(): real etcd members on loopback, for tests and local clusters,
 * in a directory that stop() removes (and that process-exit cleanup and a watchdog
 * remove when stop() never runs).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EtcdRegistryOptions } from '../options.js';
import { AdminClients, type AdminAuth } from './admin.js';
import { findEtcd } from './binary.js';
import { retire, startWatchdog, track, type Cleanable } from './cleanup.js';
import { MemberProcess, PortInUseError, type EtcdMember, type MemberConfig } from './member.js';
import { freePorts } from './ports.js';
import { makeTlsFiles, type TlsFiles } from './tls.js';

export interface StartEtcdOptions {
  /** Number of members. Default 1. */
  readonly members?: 1 | 3;
  /** Serve clients over TLS with client-certificate auth (a throwaway CA made with openssl). */
  readonly tls?: boolean;
  /** Enable etcd auth: user root (and `username`) with this password and the root role. */
  readonly auth?: AdminAuth;
  /** The etcd executable. Default: $FLEETD_ETCD_BINARY, else `etcd` on PATH. */
  readonly binary?: string;
  /** How long each member may take to answer with a leader. Default 20 s. */
  readonly startTimeoutMs?: number;
  /** The directory for data, certificates and pid files; made if missing, removed by stop(). Default: a new temporary directory. */
  readonly dir?: string;
}

/** Registry options for a test cluster: endpoints always, TLS material and auth when enabled. */
export type EtcdClientOptions = EtcdRegistryOptions & { readonly endpoints: readonly string[] };

export interface EtcdCluster {
  /** The temporary directory holding data dirs, certificates and pid files. */
  readonly dir: string;
  readonly endpoints: readonly string[];
  /** Ready to pass to createEtcdRegistry. */
  readonly clientOptions: EtcdClientOptions;
  /** With `tls`: the client's CA, certificate and key files. */
  readonly tlsFiles: { readonly caFile: string; readonly certFile: string; readonly keyFile: string } | undefined;
  readonly members: readonly EtcdMember[];
  /** The member that currently leads (asked through etcd's status API); waits up to `timeoutMs` for one. */
  leader(timeoutMs?: number): Promise<EtcdMember>;
  /** Kills every member and removes the directory. Idempotent. */
  stop(): Promise<void>;
}

const DEFAULT_START_TIMEOUT_MS = 20_000;
const PORT_ATTEMPTS = 3;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

class Cluster implements EtcdCluster, Cleanable {
  members: MemberProcess[] = [];
  tlsFiles: EtcdCluster['tlsFiles'] = undefined;
  clientOptions: EtcdClientOptions = { endpoints: [] };
  admin = new AdminClients(undefined);
  private tls: TlsFiles | undefined;
  private stopped = false;
  private readonly watchdog: number | undefined;

  constructor(readonly dir: string) {
    track(this);
    this.watchdog = startWatchdog(dir);
  }

  get endpoints(): readonly string[] {
    return this.members.map((m) => m.endpoint);
  }

  async setUpTls(): Promise<void> {
    const tls = await makeTlsFiles(this.dir);
    this.tls = tls;
    this.tlsFiles = { caFile: tls.caFile, certFile: tls.clientCertFile, keyFile: tls.clientKeyFile };
    const [ca, cert, key] = [tls.caFile, tls.clientCertFile, tls.clientKeyFile].map((f) => readFileSync(f));
    this.admin = new AdminClients({ rootCertificate: ca!, certChain: cert!, privateKey: key! });
  }

  /** Starts `count` members on fresh ports, retrying when a port was taken meanwhile. */
  async launch(binary: string, count: number, startTimeoutMs: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.launchOnce(binary, count, startTimeoutMs);
        break;
      } catch (error) {
        await this.killAll();
        for (const m of this.members) rmSync(join(this.dir, `${m.name}.etcd`), { recursive: true, force: true });
        if (!(error instanceof PortInUseError) || attempt >= PORT_ATTEMPTS) throw error;
      }
    }
    const files = this.tls;
    const tls = files === undefined ? {} : { tls: { ca: read(files.caFile), cert: read(files.clientCertFile), key: read(files.clientKeyFile) } };
    this.clientOptions = { endpoints: this.endpoints, ...tls };
  }

  async enableAuth(auth: AdminAuth): Promise<void> {
    await this.admin.enableAuth(this.members[0]!.endpoint, auth);
    this.clientOptions = { ...this.clientOptions, auth: { username: auth.username, password: auth.password } };
  }

  async leader(timeoutMs = 10_000): Promise<EtcdMember> {
    const deadline = Date.now() + timeoutMs;
    let lastError = 'no member answered';
    while (Date.now() < deadline) {
      for (const member of this.members.filter((m) => m.isRunning)) {
        try {
          const status = await this.admin.status(member.endpoint, 500);
          const leader = this.members.find((m) => m.memberId === status.leader);
          if (leader !== undefined) return leader;
          lastError = `member ${member.name} knows no leader`;
        } catch (error) {
          lastError = (error as Error).message;
        }
      }
      await sleep(100);
    }
    throw new Error(`no etcd leader within ${timeoutMs} ms (${lastError})`);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.admin.closeAll();
    await this.killAll();
    this.removeFiles();
  }

  cleanupSync(): void {
    this.stopped = true;
    for (const member of this.members) member.killSync();
    this.removeFiles();
  }

  private async launchOnce(binary: string, count: number, startTimeoutMs: number): Promise<void> {
    const ports = await freePorts(count * 2);
    const scheme = this.tls === undefined ? 'http' : 'https';
    const names = Array.from({ length: count }, (_, i) => `m${i}`);
    const peerUrl = (i: number) => `http://127.0.0.1:${ports[count + i]!}`;
    const initialCluster = names.map((name, i) => `${name}=${peerUrl(i)}`).join(',');
    const clusterToken = `fleetd-test-${randomUUID()}`;
    this.members = names.map((name, i) => {
      const config: MemberConfig = {
        name,
        binary,
        dir: this.dir,
        clientUrl: `${scheme}://127.0.0.1:${ports[i]!}`,
        peerUrl: peerUrl(i),
        initialCluster,
        clusterToken,
        tls: this.tls,
        startTimeoutMs,
      };
      return new MemberProcess(config, this.admin);
    });
    this.members.forEach((m) => m.spawn());
    const deadline = Date.now() + startTimeoutMs;
    await Promise.all(this.members.map((m) => m.waitReady(deadline)));
  }

  private async killAll(): Promise<void> {
    await Promise.all(this.members.map((m) => m.kill()));
  }

  private removeFiles(): void {
    retire(this, this.watchdog, this.dir);
  }
}

async function makeDir(dir: string | undefined): Promise<string> {
  if (dir === undefined) return mkdtemp(join(tmpdir(), 'fleetd-etcd-'));
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return dir;
}

function read(file: string): Buffer {
  return readFileSync(file);
}

/**
 * Starts etcd members on free loopback ports in a new temporary directory and
 * waits until they answer with a leader. Throws (with etcd's last stderr
 * lines, or the command that installs etcd) if that fails; nothing is left
 * behind then.
 */
export async function startEtcd(options: StartEtcdOptions = {}): Promise<EtcdCluster> {
  const binary = findEtcd(options.binary);
  const count = options.members ?? 1;
  if (count !== 1 && count !== 3) throw new Error(`members must be 1 or 3, got ${String(count)}`);
  const cluster = new Cluster(await makeDir(options.dir));
  try {
    if (options.tls === true) await cluster.setUpTls();
    await cluster.launch(binary, count, options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
    if (options.auth !== undefined) await cluster.enableAuth(options.auth);
    return cluster;
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}
