/**
 * The drop-ins the driver installs with a unit (AgentUnit.dropIns: resource
 * limits, say), in `<runtime unit directory>/<unit>.d/50-fleetd-<name>`.
 * systemd reads drop-ins only from `<dir>/<unit>.d/` of a directory in its
 * unit search path, not next to the file a link points to: so they go beside
 * the unit's runtime link (see runtimeUnitDirectory), not into unitsDirectory.
 *
 * The driver owns the files with its prefix and nothing else there: it
 * replaces and removes only those, found by the prefix (so also after a
 * restart of fleetd), and the `<unit>.d` directory only once it is empty.
 * Files are written like unit files: a temporary file, then rename, 0644,
 * unchanged contents not rewritten; synchronous calls, as units-directory.ts
 * explains.
 */
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ErrorCodes, FleetError, type UnitDropIn } from '@fleetd/core';
import { driverError } from './errors.js';
import { temporaryName } from './units-directory.js';

/** Every drop-in file the driver writes starts with this: what it may replace and remove. */
export const DROP_IN_PREFIX = '50-fleetd-';

const FILE_MODE = 0o644;
const DIRECTORY_MODE = 0o755;
/** The core's rule for drop-in names (hooks/drop-ins.ts), checked again: the driver is public API. */
const DROP_IN_NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,100}\.conf$/;
/** A file name's limit (NAME_MAX): a 254-character unit name has no room for `.d`. */
const NAME_MAX = 255;

export class DropInDirectories {
  readonly runtimeDirectory: string | undefined;

  /**
   * `runtimeDirectory`: the directory of systemd's search path where runtime
   * links go (runtimeUnitDirectory); undefined when systemd's UnitPath shows none.
   */
  constructor(runtimeDirectory: string | undefined) {
    this.runtimeDirectory = runtimeDirectory === undefined ? undefined : resolve(runtimeDirectory);
  }

  /** Throws (naming the unit) unless `dropIns` can be installed for the unit: before anything of a load is written. */
  check(name: string, dropIns: readonly UnitDropIn[]): void {
    this.checked(name, dropIns);
  }

  /**
   * Makes the unit's drop-ins of this driver exactly `dropIns`: writes new
   * and changed ones, removes the others it wrote earlier. `name` must be a
   * unit name the units directory accepted (fileOf) already.
   */
  sync(name: string, dropIns: readonly UnitDropIn[]): void {
    const directory = this.checked(name, dropIns);
    if (directory === undefined) return;
    const wanted = new Map(dropIns.map((dropIn) => [DROP_IN_PREFIX + dropIn.name, dropIn.text]));
    if (wanted.size > 0) mkdirSync(directory, { recursive: true, mode: DIRECTORY_MODE });
    for (const [file, text] of wanted) writeIfChanged(directory, file, text);
    const stale = ownFiles(directory).filter((file) => !wanted.has(file));
    for (const file of stale) rmSync(join(directory, file), { force: true });
    // Emptied of ours: remove it unless others' files are in it. (A load of a unit without drop-ins costs one readdir.)
    if (wanted.size === 0 && stale.length > 0) removeIfEmpty(directory);
  }

  /** Removes every drop-in of this driver for the unit, then its `<unit>.d` directory if nothing else is in it. */
  remove(name: string): void {
    this.sync(name, []);
  }

  /** The unit's drop-in directory (see directoryOf), once every drop-in passed checkDropIn. */
  private checked(name: string, dropIns: readonly UnitDropIn[]): string | undefined {
    for (const dropIn of dropIns) checkDropIn(name, dropIn);
    return this.directoryOf(name, dropIns.length > 0);
  }

  /**
   * `<runtime>/<unit>.d`, checked to be directly inside the runtime directory.
   * Undefined when there can be none of ours: no runtime directory known, or
   * a unit name too long for a directory name; an error instead when drop-ins
   * are to be written there.
   */
  private directoryOf(name: string, writing: boolean): string | undefined {
    const runtime = this.runtimeDirectory;
    if (runtime === undefined || `${name}.d`.length > NAME_MAX) {
      if (!writing) return undefined;
      const why =
        runtime === undefined
          ? "systemd's unit search path (its UnitPath) has no runtime unit directory to put them in"
          : `its drop-in directory's name (the unit's and ".d") would be longer than a file name may be (${NAME_MAX} characters)`;
      throw driverError(name, `systemd: cannot install the drop-ins of ${name}: ${why}`);
    }
    const directory = resolve(runtime, `${name}.d`);
    // The units directory validated the name already; this guard does not depend on it.
    if (dirname(directory) !== runtime || basename(directory) !== `${name}.d` || name.includes('\0')) {
      throw new FleetError(ErrorCodes.UNIT_NAME_INVALID, `unit name ${JSON.stringify(name)} would leave the runtime unit directory ${runtime}`, { unit: name });
    }
    return directory;
  }
}

function checkDropIn(unit: string, dropIn: UnitDropIn): void {
  if (!DROP_IN_NAME.test(dropIn.name)) {
    throw driverError(unit, `systemd: drop-in ${JSON.stringify(dropIn.name)} of ${unit}: a name is 1-105 characters of [A-Za-z0-9_.@-] ending in .conf`);
  }
  if (dropIn.text.includes('\0')) throw driverError(unit, `systemd: drop-in ${dropIn.name} of ${unit} contains a NUL character`);
}

/** This driver's files in a `<unit>.d` directory: its drop-ins and any temporary file a crash left. */
function ownFiles(directory: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries.filter((file) => file.startsWith(DROP_IN_PREFIX) || /^\.fleetd-\d+-[0-9a-f]+\.tmp$/.test(file)).sort();
}

function readIfThere(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Atomic (temporary file + rename, so systemd never reads half a file); unchanged contents keep their file and mtime. */
function writeIfChanged(directory: string, file: string, text: string): void {
  const target = join(directory, file);
  if (readIfThere(target) === text) return;
  const temporary = join(directory, temporaryName());
  try {
    writeFileSync(temporary, text, { mode: FILE_MODE, flag: 'wx' });
    chmodSync(temporary, FILE_MODE); // the umask may have narrowed the mode
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** rmdir succeeds only on an empty directory: a file someone else put there keeps it. */
function removeIfEmpty(directory: string): void {
  try {
    rmdirSync(directory);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
  }
}
