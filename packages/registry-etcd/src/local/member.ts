/**
 * One etcd member process of a test cluster.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { TlsFiles } from './tls.js';
import type { AdminClients } from './admin.js';
import { killQuietly } from './cleanup.js';

export interface EtcdMember {
  readonly name: string;
  /** Client URL, e.g. `http://127.0.0.1:40123`. */
  readonly endpoint: string;
  readonly isRunning: boolean;
  readonly pid: number | undefined;
  /** SIGTERM (graceful), then wait for the exit; SIGKILL after 10 s. */
  stop(): Promise<void>;
  /** SIGKILL, then wait for the exit. */
  kill(): Promise<void>;
  /** Starts the member again on its data dir; resolves once it answers and knows a leader. */
  start(): Promise<void>;
  /** SIGSTOP, and wait until it took effect: the member keeps its sockets but answers nothing (for timeout tests). */
  pause(): Promise<void>;
  /** SIGCONT after pause(). */
  resume(): void;
  /** The last lines etcd wrote to stderr. */
  logTail(): string;
}

export interface MemberConfig {
  readonly name: string;
  readonly binary: string;
  readonly dir: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly initialCluster: string;
  readonly clusterToken: string;
  readonly tls: TlsFiles | undefined;
  readonly startTimeoutMs: number;
}

/** Raised when etcd could not bind its ports: the cluster retries with other ports. */
export class PortInUseError extends Error {}

const LOG_LINES = 40;
const STOP_GRACE_MS = 10_000;
const POLL_MS = 100;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** True once every thread of `pid` is stopped (or where /proc cannot tell). */
function isStopped(pid: number | undefined): boolean {
  if (pid === undefined) return true;
  try {
    return readdirSync(`/proc/${pid}/task`).every((task) => {
      const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
      return 'Tt'.includes(stat.slice(stat.lastIndexOf(')') + 2)[0] ?? 'T');
    });
  } catch {
    return true;
  }
}

export class MemberProcess implements EtcdMember {
  readonly name: string;
  readonly endpoint: string;
  /** etcd's member ID (decimal), known once the member answered a status request. */
  memberId: string | undefined;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private paused = false;
  private readonly log: string[] = [];

  constructor(
    private readonly config: MemberConfig,
    private readonly admin: AdminClients,
  ) {
    this.name = config.name;
    this.endpoint = config.clientUrl;
  }

  get isRunning(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.isRunning ? this.child?.pid : undefined;
  }

  private get pidFile(): string {
    return `${this.config.dir}/${this.name}.pid`;
  }

  /** Starts the process without waiting for it to answer. */
  spawn(): void {
    if (this.isRunning) return;
    const child = spawn(this.config.binary, this.args(), { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    this.paused = false;
    // 'close' comes after the exit and after stderr is drained, so the log is complete.
    this.exited = new Promise((resolve) => {
      child.once('close', () => resolve());
      child.once('error', () => resolve());
    });
    child.once('exit', () => rmSync(this.pidFile, { force: true }));
    child.on('error', (error) => this.remember(`spawn failed: ${error.message}`));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => chunk.split('\n').forEach((l) => this.remember(l)));
    if (child.pid !== undefined) writeFileSync(this.pidFile, String(child.pid));
  }

  async start(): Promise<void> {
    this.spawn();
    await this.waitReady(Date.now() + this.config.startTimeoutMs);
  }

  /** Polls etcd's status until the member answers and knows a leader, or fails with etcd's last words. */
  async waitReady(deadline: number): Promise<void> {
    let lastError = 'no answer yet';
    while (Date.now() < deadline) {
      if (!this.isRunning) {
        await this.exited;
        const tail = this.logTail();
        const message = `etcd member ${this.name} exited during start-up. Last lines of its stderr:\n${tail}`;
        throw tail.includes('address already in use') ? new PortInUseError(message) : new Error(message);
      }
      try {
        const status = await this.admin.status(this.endpoint, 1000);
        this.memberId = status.header.member_id;
        if (status.leader !== '0') return;
        lastError = 'the member answers but knows no leader yet';
      } catch (error) {
        lastError = (error as Error).message;
      }
      await sleep(POLL_MS);
    }
    throw new Error(
      `etcd member ${this.name} (${this.endpoint}) was not ready within ${this.config.startTimeoutMs} ms ` +
        `(last error: ${lastError}). Last lines of its stderr:\n${this.logTail()}`,
    );
  }

  async stop(): Promise<void> {
    if (!this.isRunning) return;
    this.resume();
    this.child?.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }

  async kill(): Promise<void> {
    if (this.isRunning) this.child?.kill('SIGKILL');
    await this.exited;
  }

  /** For process-exit cleanup: no waiting. */
  killSync(): void {
    if (this.isRunning) killQuietly(this.child?.pid);
  }

  async pause(): Promise<void> {
    if (!this.isRunning || this.paused) return;
    this.child?.kill('SIGSTOP');
    this.paused = true;
    // The stop is not immediate: a request sent right away could still be answered.
    const deadline = Date.now() + 2000;
    while (this.isRunning && !isStopped(this.child?.pid) && Date.now() < deadline) await sleep(5);
  }

  resume(): void {
    if (!this.isRunning || !this.paused) return;
    this.child?.kill('SIGCONT');
    this.paused = false;
  }

  logTail(): string {
    return this.log.join('\n');
  }

  private remember(line: string): void {
    if (line.trim() === '') return;
    this.log.push(line);
    if (this.log.length > LOG_LINES) this.log.shift();
  }

  private args(): string[] {
    const c = this.config;
    const args = [
      `--name=${c.name}`,
      `--data-dir=${c.dir}/${c.name}.etcd`,
      `--listen-client-urls=${c.clientUrl}`,
      `--advertise-client-urls=${c.clientUrl}`,
      `--listen-peer-urls=${c.peerUrl}`,
      `--initial-advertise-peer-urls=${c.peerUrl}`,
      `--initial-cluster=${c.initialCluster}`,
      `--initial-cluster-token=${c.clusterToken}`,
      '--initial-cluster-state=new',
    ];
    if (c.tls !== undefined) {
      args.push(`--cert-file=${c.tls.serverCertFile}`, `--key-file=${c.tls.serverKeyFile}`, `--trusted-ca-file=${c.tls.caFile}`, '--client-cert-auth');
    }
    return args;
  }
}
