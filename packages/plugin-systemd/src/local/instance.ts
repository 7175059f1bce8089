/**
 * startSystemdInstance(): a real systemd user instance, one per simulated
 * machine (of a local cluster, or of a test), following the recipe in the project's design notes:
 *
 * - /run/systemd/system must exist, or systemd refuses ("not booted with systemd");
 * - a private XDG_RUNTIME_DIR (mode 700) and HOME per instance, under a temp dir;
 * - its own cgroup subtree (fleet-<name>) in every hierarchy: the launcher
 *   shell writes its pid into each cgroup.procs and then execs the manager,
 *   so the manager starts inside it;
 * - a new session (setsid via `detached`), DBUS_SESSION_BUS_ADDRESS unset;
 * - no dbus-daemon of ours: the instance's dbus.socket owns $XDG_RUNTIME_DIR/bus.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { findSystemd } from './binary.js';
import { cgroupPids, createCgroups, killCgroups, removeCgroups, type InstanceCgroups } from './cgroup.js';
import { killQuietly, retire, startWatchdog, track, type Cleanable } from './cleanup.js';

export interface StartSystemdOptions {
  /** Names the instance and its cgroup (`fleet-<name>`). Default: unique per process and call. */
  readonly name?: string;
  /** The manager binary. Default: $FLEETD_SYSTEMD_BINARY, else /lib/systemd/systemd. */
  readonly binary?: string;
  /** How long the instance may take to report running/degraded, in ms. Default 20000. */
  readonly startTimeoutMs?: number;
  /**
   * The directory for the instance's runtime dir, home and units; made if missing,
   * removed by stop(). At most 76 characters (unix socket paths). Default: a new temporary directory.
   */
  readonly dir?: string;
}

/** How SystemdInstance.restart() leaves the instance's directories. */
export interface RestartSystemdOptions {
  /**
   * Empty the runtime directory (XDG_RUNTIME_DIR) before the new manager starts:
   * its runtime unit links (`systemctl link --runtime`, as the driver makes), its
   * bus socket, everything under /run that a reboot or a lost tmpfs would take.
   * The units directory and home are kept either way. Default false.
   */
  readonly emptyRuntimeDir?: boolean;
}

export interface SystemdInstance {
  readonly name: string;
  /** For the driver: `unix:path=<runtimeDir>/bus`. */
  readonly busAddress: string;
  /** The instance's XDG_RUNTIME_DIR (mode 700). */
  readonly runtimeDir: string;
  readonly home: string;
  /** An empty directory for the driver's unit files. */
  readonly unitsDirectory: string;
  /** The temporary directory holding all of the above. */
  readonly dir: string;
  /** The manager's pid. */
  readonly pid: number;
  /** Environment for `systemctl --user` against this instance. */
  readonly env: Readonly<Record<string, string>>;
  /** Pids of every process in the instance's cgroups (the manager, its dbus-daemon, units). */
  pids(): number[];
  /** `systemctl --user <args>` against this instance; never rejects. */
  systemctl(args: readonly string[]): Promise<{ readonly code: number; readonly stdout: string; readonly stderr: string }>;
  /** The manager's last log lines. */
  logTail(): string;
  /**
   * A crash and a new start, as on a machine whose systemd died: SIGKILL to the
   * manager and to every process in its cgroups (its units, its dbus-daemon),
   * then a new manager in the same directories, waited for like the first. Bus
   * clients lose their connection. Refused once stopped.
   */
  restart(options?: RestartSystemdOptions): Promise<void>;
  /** SIGTERM the manager, wait, kill leftovers, remove its cgroups and directory. Idempotent. */
  stop(): Promise<void>;
}

const DEFAULT_START_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 10_000;
const LOG_LINES = 40;
/** Unix socket paths are limited to 108 bytes; systemd's longest is <runtime>/systemd/private. */
const MAX_RUNTIME_DIR = 80;
/** Inherited variables that would point the instance at another manager or bus. */
const FOREIGN_ENV = /^(DBUS_|XDG_|NOTIFY_SOCKET$|LISTEN_|INVOCATION_ID$|MANAGERPID$|JOURNAL_STREAM$|SYSTEMD_)/;

// $1 the manager binary, then the cgroup.procs files to join before exec.
const LAUNCHER = `
binary="$1"; shift
for procs in "$@"; do echo $$ > "$procs" || { echo "cannot join cgroup $procs" >&2; exit 97; }; done
exec "$binary" --user
`;

let sequence = 0;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !FOREIGN_ENV.test(key)) env[key] = value;
  return env;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

class Instance implements SystemdInstance, Cleanable {
  readonly busAddress: string;
  readonly runtimeDir: string;
  readonly home: string;
  readonly unitsDirectory: string;
  readonly env: Readonly<Record<string, string>>;
  private child: ChildProcess | undefined;
  private binary = '';
  private exited: Promise<void> = Promise.resolve();
  private readonly log: string[] = [];
  private cgroupSet: InstanceCgroups = { joined: [], all: [] };
  private watchdog: number | undefined;
  private stopped = false;

  constructor(
    readonly name: string,
    readonly dir: string,
    private readonly systemctlPath: string,
    private readonly startTimeoutMs: number,
  ) {
    this.runtimeDir = join(dir, 'run');
    this.home = join(dir, 'home');
    this.unitsDirectory = join(dir, 'units');
    this.busAddress = `unix:path=${this.runtimeDir}/bus`;
    this.env = { XDG_RUNTIME_DIR: this.runtimeDir, DBUS_SESSION_BUS_ADDRESS: this.busAddress };
    track(this);
  }

  get pid(): number {
    return this.child?.pid ?? -1;
  }

  pids(): number[] {
    return cgroupPids(this.cgroups);
  }

  /** Directories and cgroups; then the watchdog, which needs to know them. */
  prepare(): void {
    mkdirSync(this.runtimeDir, { mode: 0o700 });
    chmodSync(this.runtimeDir, 0o700); // whatever the umask: systemd insists on a private runtime dir
    mkdirSync(this.home, { mode: 0o700 });
    mkdirSync(this.unitsDirectory, { mode: 0o755 });
    markSystemdBooted();
    this.cgroupSet = createCgroups(this.name);
    this.watchdog = startWatchdog(this.dir, this.cgroups);
  }

  launch(binary: string): void {
    this.binary = binary;
    const env = { ...baseEnv(), HOME: this.home, XDG_RUNTIME_DIR: this.runtimeDir, SYSTEMD_LOG_TARGET: 'console' };
    const procs = this.cgroupSet.joined.map((dir) => join(dir, 'cgroup.procs'));
    const child = spawn('/bin/sh', ['-c', LAUNCHER, 'fleetd-systemd-launcher', binary, ...procs], {
      detached: true, // setsid(): the instance gets its own session, away from the test's terminal signals
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    // 'exit', not 'close': a leftover unit process may hold the manager's stdio open indefinitely.
    this.exited = new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', () => resolve());
    });
    // A forgotten instance must not keep the test process alive; the exit handler cleans it up.
    child.unref();
    child.on('error', (error) => this.remember(`spawn failed: ${error.message}`));
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8').on('data', (chunk: string) => chunk.split('\n').forEach((line) => this.remember(line)));
      (stream as Socket | null)?.unref();
    }
    if (child.pid !== undefined) writeFileSync(join(this.dir, 'systemd.pid'), String(child.pid));
  }

  /** Polls `systemctl --user is-system-running` until running/degraded, or fails with the manager's last words. */
  async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      if (!this.isRunning) {
        await this.exited;
        await sleep(50); // let the last log lines arrive
        throw new Error(`systemd instance ${this.name} exited during start-up. Last lines of its log:\n${this.logTail()}`);
      }
      const { stdout, stderr } = await this.systemctl(['is-system-running']);
      last = stdout.trim() || stderr.trim() || last;
      if (last === 'running' || last === 'degraded') return;
      await sleep(25);
    }
    throw new Error(
      `systemd instance ${this.name} was not running within ${timeoutMs} ms (is-system-running: ${last}). ` + `Last lines of its log:\n${this.logTail()}`,
    );
  }

  systemctl(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const env = { ...baseEnv(), ...this.env };
    return new Promise((resolve) => {
      execFile(this.systemctlPath, ['--user', ...args], { env, timeout: 10_000 }, (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      });
    });
  }

  logTail(): string {
    return this.log.join('\n');
  }

  async restart(options: RestartSystemdOptions = {}): Promise<void> {
    if (this.stopped) throw new Error(`systemd instance ${this.name} was stopped: it cannot be restarted`);
    this.child?.kill('SIGKILL');
    await this.exited;
    await this.emptyCgroups();
    if (options.emptyRuntimeDir ?? false) {
      rmSync(this.runtimeDir, { recursive: true, force: true });
      mkdirSync(this.runtimeDir, { mode: 0o700 });
      chmodSync(this.runtimeDir, 0o700);
    }
    this.remember(`--- restarted${(options.emptyRuntimeDir ?? false) ? ' with an empty runtime directory' : ''} ---`);
    this.launch(this.binary);
    await this.waitReady(this.startTimeoutMs);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.isRunning) {
      this.child?.kill('SIGTERM');
      const timer = setTimeout(() => this.child?.kill('SIGKILL'), STOP_GRACE_MS);
      await this.exited;
      clearTimeout(timer);
    }
    await this.removeCgroups();
    this.removeFiles();
  }

  cleanupSync(): void {
    this.stopped = true;
    killQuietly(this.child?.pid);
    killCgroups(this.cgroups);
    for (let i = 0; i < 50 && !removeCgroups(this.cgroups); i++) sleepSync(20);
    this.removeFiles();
  }

  private get isRunning(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGKILLs every process in the cgroups until none is left; the cgroups stay, for the next manager. */
  private async emptyCgroups(): Promise<void> {
    for (let i = 0; i < 100 && this.pids().length > 0; i++) {
      killCgroups(this.cgroups);
      await sleep(20);
    }
    if (this.pids().length > 0) throw new Error(`systemd instance ${this.name}: pids ${this.pids().join(' ')} survived SIGKILL`);
  }

  /** Kills what the manager left behind, then removes the (then empty) cgroups, retrying while processes exit. */
  private async removeCgroups(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      killCgroups(this.cgroups);
      if (removeCgroups(this.cgroups)) return;
      await sleep(20);
    }
    this.remember(`cgroups not removed: ${this.cgroups.join(', ')} (pids ${cgroupPids(this.cgroups).join(' ')})`);
  }

  /** Every cgroup of the instance: what it runs is in these, and they go with it. */
  private get cgroups(): readonly string[] {
    return this.cgroupSet.all;
  }

  private removeFiles(): void {
    retire(this, this.watchdog, this.dir);
  }

  private remember(line: string): void {
    if (line.trim() === '') return;
    this.log.push(line);
    if (this.log.length > LOG_LINES) this.log.shift();
  }
}

/** systemd --user refuses to start ("not booted with systemd") unless /run/systemd/system exists; only root can make it. */
function markSystemdBooted(): void {
  try {
    mkdirSync('/run/systemd/system', { recursive: true });
  } catch (error) {
    throw new Error(
      `systemd user instances need /run/systemd/system, which is missing and cannot be made ` +
        `(${(error as NodeJS.ErrnoException).code ?? String(error)}): run as root, or on a host booted with systemd`,
    );
  }
}

async function instanceDir(dir: string | undefined): Promise<string> {
  if (dir === undefined) return mkdtemp(join(tmpdir().length > 40 ? '/tmp' : tmpdir(), 'fleetd-systemd-'));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

function defaultName(): string {
  sequence += 1;
  return `m${process.pid}x${sequence}`;
}

/**
 * Starts a systemd user instance in a new temporary directory and waits until
 * it reports running (or degraded). Throws with the manager's last log lines,
 * or with the command that installs systemd; nothing is left behind then.
 */
export async function startSystemdInstance(options: StartSystemdOptions = {}): Promise<SystemdInstance> {
  const { systemd, systemctl } = findSystemd(options.binary);
  const name = options.name ?? defaultName();
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw new Error(`instance name ${JSON.stringify(name)}: use 1-64 of [A-Za-z0-9_.-]`);
  if (options.dir !== undefined && join(options.dir, 'run').length > MAX_RUNTIME_DIR) {
    throw new Error(`directory ${options.dir} is too long for unix socket paths: use at most ${MAX_RUNTIME_DIR - 4} characters`);
  }
  const dir = await instanceDir(options.dir);
  if (join(dir, 'run').length > MAX_RUNTIME_DIR) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`temporary directory ${dir} is too long for unix socket paths`);
  }
  const instance = new Instance(name, dir, systemctl, options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
  try {
    instance.prepare();
    instance.launch(systemd);
    await instance.waitReady(options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
    return instance;
  } catch (error) {
    await instance.stop();
    throw error;
  }
}
