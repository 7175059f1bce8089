import { readFileSync } from 'node:fs';
import { ErrorCodes, FleetError } from '@fleetd/core';
import type { WireMachine } from '../api/wire.js';
import { FleetClient } from './client.js';
import { findDefaultEndpoint } from './default-endpoint.js';
import { parseEndpoint } from './endpoint.js';
import type { GlobalOptions } from './global-options.js';

/** Where fleetctl writes and what it reads from its surroundings; tests pass their own. */
export interface CliIO {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Unit-file arguments and a relative endpoint are relative to this directory. */
  readonly cwd: string;
  /** How long to wait between two polls of a unit's state (fleet: 500 ms). */
  readonly pollIntervalMs?: number;
}

/** What a command does once its command line is parsed; resolves with the exit code. */
export type Work = (session: Session) => Promise<number>;

/** How a command's action hands its work over: one place runs it, with this invocation's session, and keeps the exit code. */
export type RunWork = (work: Work) => Promise<void>;

/** fleet's default --request-timeout was 3 s. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 3000;
const DEFAULT_POLL_INTERVAL_MS = 500;

/**
 * What one fleetctl invocation shares between its steps: the output, the
 * client (created on first use, so `simulate` never needs a daemon), and
 * fleet's per-invocation machine cache for legends.
 */
export class Session {
  #client: FleetClient | undefined;
  #machines: Promise<Map<string, WireMachine>> | undefined;
  readonly pollIntervalMs: number;

  constructor(
    readonly io: CliIO,
    readonly globals: Readonly<GlobalOptions>,
  ) {
    this.pollIntervalMs = io.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  }

  get json(): boolean {
    return this.globals.json === true;
  }

  /** Writes one line (a newline is added when missing) to stdout. */
  out(text: string): void {
    this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  err(text: string): void {
    this.io.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  printJson(value: unknown): void {
    this.out(JSON.stringify(value, null, 2));
  }

  client(): FleetClient {
    this.#client ??= createClient(this.globals, this.io);
    return this.#client;
  }

  /** A machine by ID for legends; listing machines fails quietly, as fleet's cachedMachineState did. */
  async machine(id: string): Promise<WireMachine | undefined> {
    this.#machines ??= this.client()
      .machines()
      .then((machines) => new Map(machines.map((machine) => [machine.id, machine])))
      .catch(() => new Map());
    return (await this.#machines).get(id);
  }

  sleep(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, this.pollIntervalMs));
  }
}

function createClient(globals: Readonly<GlobalOptions>, io: CliIO): FleetClient {
  const { env } = io;
  const endpoint = parseEndpoint(globals.endpoint ?? nonEmpty(env['FLEETCTL_ENDPOINT']) ?? findDefaultEndpoint({ env, uid: process.getuid?.() ?? 0 }), io.cwd);
  const token = globals.token ?? nonEmpty(env['FLEETCTL_TOKEN']);
  // fleet's fleetctl flags and variables (FLEETCTL_<FLAG>), so one environment serves both clients.
  const caFile = globals.caFile ?? nonEmpty(env['FLEETCTL_CA_FILE']);
  return new FleetClient({
    endpoint,
    token,
    ca: caFile === undefined ? undefined : readPemFile('--ca-file', caFile),
    clientCertificate: clientCertificate(globals.certFile ?? nonEmpty(env['FLEETCTL_CERT_FILE']), globals.keyFile ?? nonEmpty(env['FLEETCTL_KEY_FILE'])),
    timeoutMs: parseTimeout(globals.requestTimeout),
  });
}

/** `--cert-file` and `--key-file`: both or neither. */
function clientCertificate(certFile: string | undefined, keyFile: string | undefined): { cert: Buffer; key: Buffer } | undefined {
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) {
    throw new FleetError(
      ErrorCodes.CLI_USAGE,
      `${certFile === undefined ? '--key-file' : '--cert-file'} needs ${certFile === undefined ? '--cert-file' : '--key-file'} too: a client certificate goes with its key`,
    );
  }
  return { cert: readPemFile('--cert-file', certFile), key: readPemFile('--key-file', keyFile) };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** `--request-timeout` in milliseconds: a positive integer. */
export function parseTimeout(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_REQUEST_TIMEOUT_MS;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value <= 0) {
    throw new FleetError(ErrorCodes.CLI_USAGE, `--request-timeout ${JSON.stringify(raw)}: must be a positive number of milliseconds`);
  }
  return value;
}

function readPemFile(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new FleetError(ErrorCodes.CONFIG_NOT_FOUND, `${flag} ${path}: cannot read it (${code})`, { file: path, cause: error });
  }
}
