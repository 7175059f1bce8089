/**
 * Finding systemd's manager binary and systemctl, with the install command when missing.
 */
import { findOnPath as onPath, isExecutable } from '@fleetd/core/processes';

export const SYSTEMD_INSTALL_COMMAND = 'apt-get update && apt-get install -y systemd';

/** Environment variable naming the systemd manager binary to use instead of /lib/systemd/systemd. */
export const SYSTEMD_BINARY_ENV = 'FLEETD_SYSTEMD_BINARY';
export const DEFAULT_SYSTEMD_BINARY = '/lib/systemd/systemd';

function notInstalled(what: string): Error {
  return new Error(
    `systemd is not installed (${what}). A local fleetd cluster and the systemd driver tests run real systemd user instances ` +
      `(systemd need not be PID 1). Install it with: ${SYSTEMD_INSTALL_COMMAND}`,
  );
}

/** The manager binary and systemctl; throws with the install command when either is missing. */
export function findSystemd(explicit?: string): { readonly systemd: string; readonly systemctl: string } {
  const systemd = explicit ?? process.env[SYSTEMD_BINARY_ENV] ?? DEFAULT_SYSTEMD_BINARY;
  if (!isExecutable(systemd)) throw notInstalled(`${JSON.stringify(systemd)} is not an executable`);
  const systemctl = onPath('systemctl');
  if (systemctl === undefined) throw notInstalled('no "systemctl" executable on PATH');
  return { systemd, systemctl };
}
