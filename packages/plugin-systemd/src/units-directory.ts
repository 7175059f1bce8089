/**
 * The directory the driver writes unit files into. Every name is validated
 * again here, whatever the registry held: a name is a file name, and the file
 * must land directly inside the directory.
 *
 * A unit's file is read and written with synchronous calls: a few hundred
 * bytes in a directory under /run (tmpfs), where each call takes microseconds,
 * while each of the eight promise-based calls of a load waited its turn in the
 * agent's busy event loop (9 ms per load in the agent benchmark at 100
 * placements/s, the largest part of the agent's own latency).
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ErrorCodes, FleetError, isValidUnitName, parseUnitFile, parseUnitName, unitHash } from '@fleetd/core';
import { driverError } from './errors.js';

const FILE_MODE = 0o644;

/**
 * systemd's limit (UNIT_NAME_MAX is 256 with the terminating NUL). fleet
 * accepted 256 characters and the core now refuses them at submit; the driver
 * checks again whatever the registry holds (ListUnitsByNames would silently
 * leave such a name out).
 */
export const SYSTEMD_UNIT_NAME_MAX = 255;

/** Whether systemd can have a unit of this name that the driver could manage (no templates). */
export function isManageableName(name: string): boolean {
  return isValidUnitName(name) && name.length <= SYSTEMD_UNIT_NAME_MAX && !parseUnitName(name).isTemplate;
}

/** The hash the core would give the file: unitHash of its parsed options; a raw SHA-256 when it does not parse. */
function fileHash(text: string): string {
  try {
    return unitHash(parseUnitFile(text));
  } catch {
    return `unparsable:${createHash('sha256').update(text, 'utf8').digest('hex')}`;
  }
}

/**
 * A temporary file's name: short and independent of the unit's name, so the
 * longest name systemd accepts (255 characters, NAME_MAX of the file system
 * too) can still be written; a name derived from the unit's overflowed from
 * 236 characters on (ENAMETOOLONG). A leading dot and a non-unit suffix: never
 * mistaken for a unit by list(). In the units directory itself, so the rename
 * stays atomic.
 */
export function temporaryName(): string {
  return `.fleetd-${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
}

/** Why a units directory is unsafe to run unit files from, or undefined. `uid`: the process's (undefined where there are none). */
export function unsafeDirectoryProblem(info: Pick<Stats, 'isDirectory' | 'mode' | 'uid'>, uid: number | undefined): string | undefined {
  if (!info.isDirectory()) return 'is not a directory';
  const mode = (info.mode & 0o777).toString(8).padStart(4, '0');
  const consequence = 'whoever can write it can replace the unit files fleetd runs';
  if ((info.mode & 0o002) !== 0) return `is writable by others (mode ${mode}): ${consequence}; chmod go-w it`;
  if ((info.mode & 0o020) !== 0) return `is writable by its group (mode ${mode}): ${consequence}; chmod go-w it`;
  if (uid !== undefined && info.uid !== uid) return `belongs to uid ${info.uid}, not to fleetd's uid ${uid}: ${consequence}; chown it`;
  return undefined;
}

export class UnitsDirectory {
  readonly path: string;

  constructor(path: string) {
    this.path = resolve(path);
  }

  /**
   * Creates the directory if needed (like fleet's /run/fleet/units), and
   * refuses one that others can write: whoever writes a unit file there has
   * systemd run it as root the next time the agent loads or reloads it.
   */
  async ensure(): Promise<void> {
    await mkdir(this.path, { recursive: true, mode: 0o755 });
    const problem = unsafeDirectoryProblem(await stat(this.path), process.geteuid?.());
    if (problem !== undefined) throw driverError(undefined, `systemd: unitsDirectory ${this.path} ${problem}`);
  }

  /**
   * The file of a unit. Throws UNIT_NAME_INVALID (naming the unit) for a name
   * systemd would refuse, a template, or anything that would resolve outside
   * the directory.
   */
  fileOf(name: string): string {
    const info = parseUnitName(name);
    if (name.length > SYSTEMD_UNIT_NAME_MAX) {
      throw new FleetError(ErrorCodes.UNIT_NAME_INVALID, `unit name ${JSON.stringify(name)} is longer than systemd's ${SYSTEMD_UNIT_NAME_MAX} characters`, {
        unit: name,
      });
    }
    if (info.isTemplate) {
      throw new FleetError(ErrorCodes.UNIT_TEMPLATE_NOT_RUNNABLE, `${JSON.stringify(name)} is a template: load an instance of it`, {
        unit: name,
      });
    }
    const file = resolve(this.path, name);
    // parseUnitName already refuses '/' and dot-only names; this is the guard that does not depend on it.
    if (dirname(file) !== this.path || basename(file) !== name || name.includes('\0')) {
      throw new FleetError(ErrorCodes.UNIT_NAME_INVALID, `unit name ${JSON.stringify(name)} would leave the units directory ${this.path}`, {
        unit: name,
      });
    }
    return file;
  }

  /** The current contents of a unit's file, or undefined when there is none. */
  read(name: string): string | undefined {
    try {
      return readFileSync(this.fileOf(name), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /**
   * Writes atomically (a temporary file in the same directory, then rename), so
   * systemd never reads half a file. Unchanged contents are not rewritten:
   * systemd compares file times to decide whether a unit needs a reload.
   */
  write(name: string, text: string, previous: string | undefined): string {
    const file = this.fileOf(name);
    if (previous === text) return file;
    const temporary = join(this.path, temporaryName());
    try {
      writeFileSync(temporary, text, { mode: FILE_MODE, flag: 'wx' });
      chmodSync(temporary, FILE_MODE); // the umask may have narrowed the mode
      renameSync(temporary, file);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
    return file;
  }

  async remove(name: string): Promise<void> {
    await rm(this.fileOf(name), { force: true });
  }

  /** Names of the unit files in the directory (other files are ignored), sorted. */
  async list(): Promise<string[]> {
    let entries: string[];
    try {
      entries = await readdir(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return entries.filter(isManageableName).sort();
  }

  /** Every unit file with the hash of its contents. */
  async hashes(): Promise<Map<string, string>> {
    const result = new Map<string, string>();
    for (const name of await this.list()) {
      const text = this.read(name);
      if (text !== undefined) result.set(name, fileHash(text));
    }
    return result;
  }
}
