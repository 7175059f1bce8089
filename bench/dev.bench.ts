/**
 * `fleetd dev`, as a person feels it: from the command to "Ready", the first
 * `fleetctl start` until the unit runs, and Ctrl-C until everything is gone.
 * Real etcd, systemd user instances and fleetd processes; the median of a few runs.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FLEETCTL_BIN, FLEETD_BIN } from 'fleetd/dev';
import { runCommand } from '../packages/fleetd/test/run-command.js';

export interface DevStartup {
  readonly name: string;
  readonly machines: number;
  readonly runs: number;
  /** `fleetd dev` started → "Ready" printed. */
  readonly readyMs: number;
  /** `fleetctl start hello.service` (it returns once the unit runs). */
  readonly firstStartMs: number;
  /** SIGINT → `fleetd dev` exited, every process and file gone. */
  readonly stopMs: number;
  readonly targetReadyMs: number;
  readonly met: boolean;
}

export interface DevStartupResult extends DevStartup {
  readonly growth: { readonly machinesDoubled: { readonly factor: number; readonly value: number } };
}

/** A few seconds, as the issue asks: the slowest single part (a systemd instance, a fleetd) takes about one. */
const TARGET_READY_MS = { 1: 3_000, 3: 5_000 } as Record<number, number>;
const HELLO = '[Service]\nExecStart=/bin/sleep infinity\n';

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function oneRun(machines: number): Promise<{ readyMs: number; firstStartMs: number; stopMs: number }> {
  const work = mkdtempSync('/tmp/fleetd-dev-bench-');
  const dir = join(work, 'cluster');
  writeFileSync(join(work, 'hello.service'), HELLO);
  const started = performance.now();
  const child = spawn(process.execPath, [FLEETD_BIN, 'dev', '--machines', String(machines), '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    let output = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
        if (/^Ready in /m.test(output)) resolve();
      });
      child.on('exit', () => reject(new Error(`fleetd dev exited before it was ready:\n${output}`)));
    });
    const readyMs = performance.now() - started;
    const startAt = performance.now();
    const start = await runCommand([process.execPath, FLEETCTL_BIN, '--endpoint', join(dir, 'fleetd.sock'), 'start', 'hello.service'], { cwd: work });
    if (start.code !== 0) throw new Error(`fleetctl start failed: ${start.stderr}`);
    const firstStartMs = performance.now() - startAt;
    const stopAt = performance.now();
    child.kill('SIGINT');
    await exited;
    if (existsSync(dir)) throw new Error(`fleetd dev left ${dir} behind`);
    return { readyMs, firstStartMs, stopMs: performance.now() - stopAt };
  } finally {
    child.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  }
}

export async function measureDevStartup(machines: number, runs = 3): Promise<DevStartup> {
  const measured = [];
  for (let run = 0; run < runs; run++) measured.push(await oneRun(machines));
  const readyMs = Math.round(median(measured.map((m) => m.readyMs)));
  const target = TARGET_READY_MS[machines] ?? Number.POSITIVE_INFINITY;
  return {
    name: `fleetd dev --machines ${machines}: ready, first unit running, stopped`,
    machines,
    runs,
    readyMs,
    firstStartMs: Math.round(median(measured.map((m) => m.firstStartMs))),
    stopMs: Math.round(median(measured.map((m) => m.stopMs))),
    targetReadyMs: target,
    met: readyMs <= target,
  };
}

/** The figure, and how it grows when the machines double. */
export async function measureDevStartupWithGrowth(machines: number, runs = 3): Promise<DevStartupResult> {
  const base = await measureDevStartup(machines, runs);
  const doubled = await measureDevStartup(machines * 2, runs);
  return { ...base, growth: { machinesDoubled: { factor: Number((doubled.readyMs / base.readyMs).toFixed(2)), value: doubled.readyMs } } };
}
