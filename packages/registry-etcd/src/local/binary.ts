/**
 * Finding the etcd and openssl executables, with an install hint when missing.
 */
import { findOnPath as onPath, isExecutable } from '@fleetd/core/processes';

export const ETCD_INSTALL_COMMAND = 'apt-get update && apt-get install -y etcd-server';

/** Environment variable naming the etcd executable to use instead of the one on PATH. */
export const ETCD_BINARY_ENV = 'FLEETD_ETCD_BINARY';

/** The etcd executable: `explicit`, else $FLEETD_ETCD_BINARY, else `etcd` on PATH; throws with the install command. */
export function findEtcd(explicit?: string): string {
  const wanted = explicit ?? process.env[ETCD_BINARY_ENV];
  const found = wanted === undefined ? onPath('etcd') : isExecutable(wanted) ? wanted : undefined;
  if (found !== undefined) return found;
  const where = wanted === undefined ? 'no "etcd" executable on PATH' : `${JSON.stringify(wanted)} is not an executable`;
  throw new Error(
    `etcd is not installed (${where}). A local fleetd cluster and the etcd registry tests run a real etcd (3.4+). ` +
      `Install it with: ${ETCD_INSTALL_COMMAND}`,
  );
}

export function findOpenssl(): string {
  const found = onPath('openssl');
  if (found === undefined) {
    throw new Error('openssl is not installed (needed to make TLS test certificates). ' + 'Install it with: apt-get update && apt-get install -y openssl');
  }
  return found;
}
