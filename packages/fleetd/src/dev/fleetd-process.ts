/**
 * Real fleetd daemons as child processes, for local clusters and tests: each gets a
 * directory with its config file, data directory and API socket; its output
 * is kept; it never outlives the process that started it (exit handlers, and
 * a watchdog for a SIGKILLed parent).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import type { ClientRequest } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killQuietly, startWatchdog, track, untrack } from '@fleetd/core/processes';
import type { Cleanable } from '@fleetd/core/processes';
import type { FleetdConfig } from '../config/types.js';

/** Both from src/dev (vitest) and dist/dev, the package root is two levels up. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FLEETD_BIN = join(PACKAGE_ROOT, 'dist/bin/fleetd.js');
export const FLEETCTL_BIN = join(PACKAGE_ROOT, 'dist/bin/fleetctl.js');

const DEFAULT_START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 15_000;

const WATCHDOG = `
parent="$1"; pidfile="$2"
while kill -0 "$parent" 2>/dev/null && [ -f "$pidfile" ]; do sleep 1; done
[ -f "$pidfile" ] && kill -9 "$(cat "$pidfile")" 2>/dev/null
exit 0
`;

export interface StartFleetdOptions {
  /** Written to `<dir>/fleetd.config.json`; `dataDir` and `api.socket` default into `dir`. */
  readonly config: FleetdConfig;
  /** Names the process in errors and output. Default `fleetd`. */
  readonly name?: string;
  /** Directory for config, data and socket. Default: a new temporary directory (removed by `remove()`). */
  readonly dir?: string;
  /** Extra command-line arguments (flags override the file). */
  readonly args?: readonly string[];
  /** Extra environment (FLEETD_* variables override the file). */
  readonly env?: Readonly<Record<string, string>>;
  readonly startTimeoutMs?: number;
  /** Told every line the daemon prints (stdout and stderr), as it comes. */
  readonly onOutput?: (line: string) => void;
}

export interface FleetdProcess {
  readonly name: string;
  readonly dir: string;
  readonly configFile: string;
  readonly socketPath: string;
  readonly pid: number | undefined;
  /** Everything the daemon printed so far (stdout and stderr). */
  output(): string;
  /** Resolves once a line printed by the current run matches. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGHUP: reload the configuration. */
  reload(): void;
  /** SIGTERM and wait for the exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
  /** Starts the daemon again on the same directory (after stop or kill). */
  restart(): Promise<void>;
  /** Stops (if running) and removes the directory when the harness made it. */
  remove(): Promise<void>;
}

/** Starts `fleetd --config <dir>/fleetd.config.json` and waits until it says it is ready. */
export async function startFleetd(options: StartFleetdOptions): Promise<FleetdProcess> {
  const fleetd = new FleetdChild(options);
  await fleetd.restart();
  return fleetd;
}

class FleetdChild implements FleetdProcess, Cleanable {
  readonly name: string;
  readonly dir: string;
  readonly configFile: string;
  readonly socketPath: string;
  private readonly ownsDir: boolean;
  private readonly pidFile: string;
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> = Promise.resolve(null);
  private watchdog: number | undefined;
  /** Output of the current run; `earlier` holds the runs before a restart. */
  private lines: string[] = [];
  private earlier: string[] = [];
  private listeners = new Set<(line: string) => void>();

  constructor(private readonly options: StartFleetdOptions) {
    this.name = options.name ?? 'fleetd';
    this.ownsDir = options.dir === undefined;
    this.dir = options.dir ?? mkdtempSync('/tmp/fleetd-');
    mkdirSync(this.dir, { recursive: true });
    this.configFile = join(this.dir, 'fleetd.config.json');
    this.pidFile = join(this.dir, 'harness.pid');
    const api = options.config.api ?? {};
    this.socketPath = typeof api.socket === 'string' ? api.socket : join(this.dir, 'fleetd.sock');
    const config: FleetdConfig = {
      ...options.config,
      dataDir: options.config.dataDir ?? join(this.dir, 'data'),
      api: { ...api, socket: this.socketPath },
    };
    writeFileSync(this.configFile, `${JSON.stringify(config, null, 2)}\n`);
  }

  get pid(): number | undefined {
    // A child killed by a signal keeps exitCode null; signalCode says it is gone.
    const child = this.child;
    return child !== undefined && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
  }

  output(): string {
    return [...this.earlier, ...this.lines].join('\n');
  }

  waitForOutput(pattern: RegExp, timeoutMs = DEFAULT_START_TIMEOUT_MS): Promise<string> {
    const seen = this.lines.find((line) => pattern.test(line));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`${this.name}: no output matching ${String(pattern)} within ${timeoutMs} ms; output:\n${this.tail()}`));
      }, timeoutMs);
      const listener = (line: string): void => {
        if (!pattern.test(line)) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(line);
      };
      this.listeners.add(listener);
    });
  }

  reload(): void {
    killQuietly(this.pid, 'SIGHUP');
  }

  async stop(): Promise<number | null> {
    const pid = this.pid;
    if (pid === undefined) return this.exited;
    killQuietly(pid, 'SIGTERM');
    const timer = setTimeout(() => killQuietly(pid, 'SIGKILL'), STOP_GRACE_MS);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
      this.forget();
    }
  }

  async kill(): Promise<void> {
    killQuietly(this.pid, 'SIGKILL');
    await this.exited;
    this.forget();
  }

  async restart(): Promise<void> {
    if (this.pid !== undefined) throw new Error(`${this.name} is still running (pid ${this.pid})`);
    this.earlier = [...this.earlier, ...this.lines].slice(-4000);
    this.lines = [];
    const child = spawn(process.execPath, [FLEETD_BIN, '--config', this.configFile, ...(this.options.args ?? [])], {
      env: { ...process.env, ...this.options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    this.collect(child);
    if (child.pid !== undefined) {
      writeFileSync(this.pidFile, String(child.pid));
      this.watchdog = startWatchdog('fleetd-harness-watchdog', WATCHDOG, [this.pidFile]);
    }
    track(this);
    await this.ready();
  }

  async remove(): Promise<void> {
    await this.stop();
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }

  cleanupSync(): void {
    killQuietly(this.pid, 'SIGKILL');
    this.forget();
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }

  /** Ready = the API answers /health on the socket (whatever the log level prints). */
  private async ready(): Promise<void> {
    const deadline = Date.now() + (this.options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
    let exitCode: number | null | undefined;
    void this.exited.then((code) => (exitCode = code));
    for (;;) {
      if (exitCode !== undefined || this.pid === undefined) {
        throw new Error(`${this.name} exited with code ${exitCode ?? 'unknown'} before it was ready; output:\n${this.tail()}`);
      }
      if (await answersHealth(this.socketPath)) return;
      if (Date.now() > deadline)
        throw new Error(
          `${this.name}: not answering on ${this.socketPath} after ${this.options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS} ms; output:\n${this.tail()}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private collect(child: ChildProcess): void {
    const readLines = (stream: NodeJS.ReadableStream | null): void => {
      let partial = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop() ?? '';
        for (const line of parts) this.addLine(line);
      });
      stream?.on('end', () => partial !== '' && this.addLine(partial));
    };
    readLines(child.stdout);
    readLines(child.stderr);
  }

  private addLine(line: string): void {
    this.options.onOutput?.(line);
    this.lines.push(line);
    // A daemon under test can log a lot; the last few thousand lines say what happened.
    if (this.lines.length > 5000) this.lines = this.lines.slice(-4000);
    for (const listener of [...this.listeners]) listener(line);
  }

  private tail(): string {
    return this.lines.slice(-40).join('\n');
  }

  private forget(): void {
    untrack(this);
    rmSync(this.pidFile, { force: true });
    killQuietly(this.watchdog, 'SIGTERM');
    this.watchdog = undefined;
  }
}

function answersHealth(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    request({ socketPath, path: '/health', timeout: 1000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200 || response.statusCode === 503);
    })
      .on('error', () => resolve(false))
      .on('timeout', function (this: ClientRequest) {
        this.destroy();
      })
      .end();
  });
}

export interface FleetctlResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the built fleetctl against `endpoint` (a socket path or URL; without one, fleetctl
 * finds its endpoint as a user's does: FLEETCTL_ENDPOINT, then its default); never rejects
 * on a non-zero exit.
 */
export function runFleetctl(
  args: readonly string[],
  options: { readonly endpoint?: string; readonly env?: Readonly<Record<string, string>>; readonly cwd?: string },
): Promise<FleetctlResult> {
  const endpoint = options.endpoint === undefined ? [] : ['--endpoint', options.endpoint];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FLEETCTL_BIN, ...endpoint, ...args], {
      env: { ...process.env, ...options.env },
      cwd: options.cwd ?? process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
