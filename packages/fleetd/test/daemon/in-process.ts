/**
 * A real fleetd daemon in the test's own process: the embedded store in a
 * temporary directory, the API on a unix socket, plugins given inline, and
 * its log lines kept as parsed JSON. Starts in tens of milliseconds.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@fleetd/core/testing';
import { resolveConfig } from '../../src/config/index.js';
import type { FleetdConfig } from '../../src/config/index.js';
import { startDaemon } from '../../src/daemon/daemon.js';
import type { Daemon } from '../../src/daemon/daemon.js';
import { createLogger } from '../../src/logging/logger.js';
import { send } from '../api/harness.js';
import type { RequestOptions, Response } from '../api/harness.js';

export type LogLine = Readonly<Record<string, unknown>>;

export interface InProcessDaemon {
  readonly daemon: Daemon;
  /** Every line the daemon logged so far, parsed. */
  readonly lines: readonly LogLine[];
  request(method: string, path: string, options?: RequestOptions): Promise<Response>;
  /** The first line that has every field of `fields` (compared with ===), once one is logged. */
  waitForLine(fields: LogLine, timeoutMs?: number): Promise<LogLine>;
  /** A sample's value from /metrics (`name{labels}`), or undefined when it is not exposed. */
  metric(sample: string): Promise<number | undefined>;
  stop(): Promise<void>;
}

const running: InProcessDaemon[] = [];

/** Stops every daemon started so far (an afterEach). */
export async function stopInProcessDaemons(): Promise<void> {
  for (const started of running.splice(0)) await started.stop();
}

async function startInDir(dir: string, config: FleetdConfig, lines: LogLine[]): Promise<Awaited<ReturnType<typeof startDaemon>>> {
  const resolved = await resolveConfig({
    config: { dataDir: join(dir, 'data'), log: { level: 'debug' }, ...config, api: { socket: join(dir, 'fleetd.sock'), ...config.api } },
  });
  const logger = createLogger(resolved.log.level, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  return startDaemon(resolved, { logger });
}

export async function startInProcessDaemon(config: FleetdConfig): Promise<InProcessDaemon> {
  const dir = await mkdtemp(join(tmpdir(), 'fleetd-inproc-'));
  const lines: LogLine[] = [];
  // A config refused by resolveConfig fails as surely as a daemon that does not start: either way the directory goes.
  const daemon = await startInDir(dir, config, lines).catch(async (error: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw error;
  });
  const matches = (line: LogLine, fields: LogLine) => Object.entries(fields).every(([key, value]) => line[key] === value);
  const started: InProcessDaemon = {
    daemon,
    lines,
    request: (method, path, options) => send({ socketPath: daemon.socketPath }, method, path, options),
    async waitForLine(fields, timeoutMs = 5000) {
      await waitFor(() => lines.some((line) => matches(line, fields)), `a log line with ${JSON.stringify(fields)}`, timeoutMs);
      return lines.find((line) => matches(line, fields)) as LogLine;
    },
    async metric(sample) {
      const text = await daemon.metrics.render();
      const line = text.split('\n').find((candidate) => candidate.startsWith(`${sample} `));
      return line === undefined ? undefined : Number(line.slice(sample.length + 1));
    },
    async stop() {
      await daemon.stop({ leave: true });
      await rm(dir, { recursive: true, force: true });
    },
  };
  running.push(started);
  return started;
}
