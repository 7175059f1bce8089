/**
 * A fleetd started where no systemd listens (a container, CI, a laptop VM
 * without a system bus) stopped with the socket's error and no next step. When
 * the systemd driver could not connect because the bus socket is missing or
 * refuses connections, the error keeps its code and text and gains the
 * options that fix it; every other failure is left as it is.
 */
import { FleetError, isFleetError } from '@fleetd/core';
import type { ResolvedConfig } from '../config/types.js';

const UNREACHABLE = new Set(['ENOENT', 'ECONNREFUSED']);

interface SocketFailure {
  readonly code: string;
  readonly address: string | undefined;
}

/** The `connect` error (ENOENT, ECONNREFUSED) somewhere down the cause chain, if that is why. */
function socketFailure(error: unknown): SocketFailure | undefined {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 10; current = current.cause, depth++) {
    const { code, syscall, address } = current as NodeJS.ErrnoException & { address?: string };
    if (syscall === 'connect' && code !== undefined && UNREACHABLE.has(code)) return { code, address };
  }
  return undefined;
}

function nextSteps(config: ResolvedConfig): string[] {
  return [
    '`fleetd dev`: a local cluster on this host, each machine with its own systemd instance (see docs/dev.md)',
    "agent.busAddress (--systemd-bus-address, FLEETD_SYSTEMD_BUS_ADDRESS): the D-Bus address of a running systemd's bus",
    ...(config.agent.systemdUser ? [] : ["agent.systemdUser (--systemd-user, FLEETD_AGENT_SYSTEMD_USER): your own user's systemd (systemd --user)"]),
    '--disable-agent (FLEETD_DISABLE_AGENT): the engine and API only; this machine runs no units',
  ];
}

/** `error` with what to do appended, when it is the systemd driver failing to reach its bus; else `error` itself. */
export function withServiceManagerHint(error: unknown, config: ResolvedConfig): unknown {
  if (!isFleetError(error) || error.plugin !== 'systemd' || error.hook !== 'createDriver') return error;
  const failure = socketFailure(error);
  if (failure === undefined) return error;
  const where = failure.address ?? config.agent.busAddress ?? 'the system bus';
  const what = failure.code === 'ENOENT' ? `there is no bus socket at ${where}` : `nothing accepts connections on the bus socket ${where}`;
  const hint = [`${what}, so no systemd to run units with. Instead:`, ...nextSteps(config).map((step) => `- ${step}`)];
  return new FleetError(error.code, `${error.message}\n  ${hint.join('\n  ')}`, {
    plugin: error.plugin,
    hook: error.hook,
    pluginCode: error.pluginCode,
    cause: error,
  });
}
