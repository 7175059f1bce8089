/**
 * A `fleetd dev` run as a person has it: the command in one terminal (a child
 * process whose output is read), fleetctl and systemctl in another, Ctrl-C at
 * the end. What it made is recorded while it runs, so that a test can check
 * afterwards that every process, cgroup and file is gone.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from '@fleetd/core/processes';
import { runCommand } from '../run-command.js';
import type { CommandResult } from '../run-command.js';

export { runCommand, type CommandResult };

export interface DevCommand {
  /** The program and its first arguments, e.g. [node, .../bin/fleetctl.js]. */
  readonly fleetctl: readonly string[];
  /** How to run systemctl (a user's own is reached as that user). Default ['systemctl']. */
  readonly systemctl?: readonly string[];
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
}

export interface DevSession {
  readonly endpoint: string;
  /** machine name → its systemd's XDG_RUNTIME_DIR, from the printed table. */
  readonly runtimeDirs: ReadonlyMap<string, string>;
  output(): string;
  fleetctl(args: readonly string[], env?: Readonly<Record<string, string>>): Promise<CommandResult>;
  /** `systemctl --user` against one machine's systemd, as the printed hint says. */
  systemctl(machine: string, args: readonly string[]): Promise<CommandResult>;
  /** Every process, cgroup and file the cluster consists of now. */
  footprint(): Footprint;
  /** Ctrl-C; resolves with the exit code once the command exited. */
  interrupt(): Promise<number | null>;
  /** SIGKILL whatever is left (after a failed test). */
  kill(): void;
}

export interface Footprint {
  readonly pids: readonly number[];
  readonly cgroups: readonly string[];
  readonly dir: string;
}

/** Time to be ready; `npm run dev` installs and builds first when it has to. */
const READY_TIMEOUT_MS = 240_000;

/**
 * Starts `argv` (a command line that runs `fleetd dev`) as a terminal would, in
 * a process group of its own, and waits until it printed that the cluster is ready.
 */
export async function startDevSession(command: DevCommand, argv: readonly string[], dir: string): Promise<DevSession> {
  const env = { ...process.env, ...command.env };
  delete env['FLEETCTL_ENDPOINT'];
  const [program, ...args] = argv as [string, ...string[]];
  const child = spawn(program, args, { cwd: command.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await untilReady(child, () => output, exited);
  const endpoint = /^fleetctl endpoint: (\S+)$/m.exec(output)?.[1] ?? '';
  const runtimeDirs = new Map([...output.matchAll(/^ {2}([a-z]+) +\S+ +(\/\S+\/run)$/gm)].map((match) => [match[1] as string, match[2] as string]));
  return {
    endpoint,
    runtimeDirs,
    output: () => output,
    fleetctl: (fleetctlArgs, extraEnv = {}) => runCommand([...command.fleetctl, ...fleetctlArgs], { cwd: command.cwd, env: { ...env, ...extraEnv } }),
    systemctl: (machine, systemctlArgs) =>
      runCommand([...(command.systemctl ?? ['systemctl']), '--user', ...systemctlArgs], {
        cwd: command.cwd,
        env: { ...env, XDG_RUNTIME_DIR: runtimeDirs.get(machine) ?? '/nonexistent' },
      }),
    footprint: () => footprintOf(dir),
    // Ctrl-C in a terminal signals the whole foreground process group, not one process.
    interrupt: async () => {
      signalGroup(child, 'SIGINT');
      return exited;
    },
    kill: () => signalGroup(child, 'SIGKILL'),
  };
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // the group is gone
  }
}

async function untilReady(child: ChildProcess, output: () => string, exited: Promise<number | null>): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  while (!/^Ready in /m.test(output())) {
    if (exitCode !== undefined) throw new Error(`fleetd dev exited with ${String(exitCode)} before it was ready:\n${output()}`);
    if (Date.now() > deadline) {
      signalGroup(child, 'SIGINT');
      throw new Error(`fleetd dev was not ready within ${READY_TIMEOUT_MS} ms:\n${output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Live processes whose command line or environment names `dir`, their cgroups, and the directory. */
export function footprintOf(dir: string): Footprint {
  const pids = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => pid !== process.pid && isAlive(pid) && mentions(pid, dir));
  const cgroups = [...new Set(pids.flatMap(cgroupDirsOf))].filter((cgroup) => /\/fleet-[^/]+$/.test(cgroup));
  return { pids, cgroups, dir };
}

/** What of a footprint taken earlier still exists. */
export function leftovers(before: Footprint): { pids: number[]; cgroups: string[]; dir: boolean; mentioning: number[] } {
  return {
    pids: before.pids.filter(isAlive),
    cgroups: before.cgroups.filter((cgroup) => existsSync(cgroup)),
    dir: existsSync(before.dir),
    mentioning: [...footprintOf(before.dir).pids],
  };
}

function mentions(pid: number, dir: string): boolean {
  for (const file of ['cmdline', 'environ']) {
    try {
      if (readFileSync(`/proc/${pid}/${file}`, 'latin1').includes(dir)) return true;
    } catch {
      // gone, or not ours to read
    }
  }
  return false;
}

/** The cgroup directories of a process, in the hierarchies systemd instances use, with their parents. */
function cgroupDirsOf(pid: number): string[] {
  let text = '';
  try {
    text = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').flatMap((line) => {
    const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
    const hierarchy = controllers === '' ? 'unified' : controllers === 'name=systemd' ? 'systemd' : undefined;
    if (hierarchy === undefined || path === undefined || path === '/') return [];
    const root = existsSync('/sys/fs/cgroup/unified') ? join('/sys/fs/cgroup', hierarchy) : '/sys/fs/cgroup';
    const parts = path.split('/').filter(Boolean);
    return parts.map((_, index) => join(root, ...parts.slice(0, index + 1)));
  });
}
