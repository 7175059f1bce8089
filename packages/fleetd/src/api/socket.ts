import { readFile, chmod, chown, lstat, mkdir, unlink } from 'node:fs/promises';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { ErrorCodes, FleetError } from '@fleetd/core';

/**
 * Makes `path` ready to listen on: creates its directory, removes a stale
 * socket (a fleetd killed with -9 leaves one nobody answers on), and refuses
 * when a live server answers there or the path is something else.
 */
export async function prepareSocketPath(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const stat = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (stat === undefined) return;
  if (!stat.isSocket()) throw socketError(`${path} exists and is not a socket; remove it or configure another api.socket`);
  if (await answers(path)) throw socketError(`another fleetd is serving ${path}; stop it or configure another api.socket`);
  await unlink(path).catch(() => undefined);
}

/** Owner-set permissions (0660 by default: the file mode is the socket's only guard) and group. */
export async function restrictSocket(path: string, mode: number, group: string | number | undefined): Promise<void> {
  await chmod(path, mode);
  if (group !== undefined) await chown(path, -1, await groupId(group));
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect({ path });
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

async function groupId(group: string | number): Promise<number> {
  if (typeof group === 'number') return group;
  if (/^\d+$/.test(group)) return Number(group);
  const line = (await readFile('/etc/group', 'utf8')).split('\n').find((entry) => entry.split(':')[0] === group);
  const gid = line?.split(':')[2];
  if (gid === undefined || !/^\d+$/.test(gid)) throw socketError(`api.socketGroup: no group named ${JSON.stringify(group)} in /etc/group`);
  return Number(gid);
}

function socketError(message: string): FleetError {
  return new FleetError(ErrorCodes.API_LISTEN_FAILED, message);
}
