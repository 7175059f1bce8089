import { readFile, chmod, chown, lstat, mkdir, unlink } from 'node:fs/promises';
import { connect } from 'node:net';
import type { Server } from 'node:net';
import { dirname, relative, sep } from 'node:path';
import { ErrorCodes, FleetError } from '@fleetd/core';

/**
 * Makes `path` ready to listen on: creates its directory, removes a stale
 * socket (a fleetd killed with -9 leaves one nobody answers on), and refuses
 * when a live server answers there or the path is something else.
 */
export async function prepareSocketPath(path: string, group?: string | number): Promise<void> {
  await createPrivateDirectory(dirname(path), group);
  const stat = await lstat(path).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  });
  if (stat === undefined) return;
  if (!stat.isSocket()) throw socketError(`${path} exists and is not a socket; remove it or configure another api.socket`);
  if (await answers(path)) throw socketError(`another fleetd is serving ${path}; stop it or configure another api.socket`);
  await unlink(path).catch(() => undefined);
}

/**
 * Directories fleetd creates for its socket are 0700 (0750 and the socket's
 * group when one is configured), whatever the umask: mkdir's mode can only
 * lose bits to the umask, never gain them, so none is ever wider, and chmod
 * then sets the exact mode. Directories that already exist are left alone.
 */
async function createPrivateDirectory(dir: string, group: string | number | undefined): Promise<void> {
  const mode = group === undefined ? 0o700 : 0o750;
  const first = await mkdir(dir, { recursive: true, mode });
  if (first === undefined) return;
  const gid = group === undefined ? undefined : await groupId(group);
  let current = first;
  for (const part of ['', ...relative(first, dir).split(sep).filter(Boolean)]) {
    current = part === '' ? current : `${current}${sep}${part}`;
    await chmod(current, mode);
    if (gid !== undefined) await chown(current, -1, gid);
  }
}

/**
 * Runs `listen` with the process umask at 0177 for the moment the socket is
 * bound. Node binds a unix socket synchronously inside `server.listen`, so the
 * umask is restored before any other code runs: the socket file is born 0600
 * (never 0777 under a permissive umask, even in a directory others can enter)
 * and only then opened up to its configured mode by restrictSocket.
 */
export async function listenRestricted<T>(server: Server, listen: () => Promise<T>): Promise<T> {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with .apply(this, args)
  const original = server.listen;
  server.listen = function listenOwnerOnly(this: Server, ...args: unknown[]) {
    const previous = setUmask(0o177);
    try {
      return (original as (...all: unknown[]) => Server).apply(this, args);
    } finally {
      if (previous !== undefined) setUmask(previous);
    }
  } as Server['listen'];
  try {
    return await listen();
  } finally {
    delete (server as Partial<Pick<Server, 'listen'>>).listen;
  }
}

/** The previous umask; undefined in a worker thread, where Node cannot set it (the socket's 0700 directory still guards it). */
function setUmask(mask: number): number | undefined {
  try {
    return process.umask(mask);
  } catch {
    return undefined;
  }
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
