import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ErrorCodes, FleetError, parseUnitFile, parseUnitName, UNIT_TYPES, unitHash, UnitFile } from '@fleetd/core';
import type { UnitNameInfo } from '@fleetd/core';
import type { WireUnitOption } from '../api/wire.js';

/** fleet's `maybeAppendDefaultUnitType`: an argument without a known unit type means a service. */
export function withDefaultUnitType(arg: string): string {
  const dot = arg.lastIndexOf('.');
  const type = dot === -1 ? '' : arg.slice(dot + 1);
  return (UNIT_TYPES as readonly string[]).includes(type) ? arg : `${arg}.service`;
}

/** fleet's `unitNameMangle`: the unit a path or name argument stands for (`units/web` → `web.service`). */
export function unitNameOf(arg: string): string {
  return withDefaultUnitType(basename(arg));
}

/** The name's parts; UNIT_NAME_INVALID naming the rule it breaks. */
export function unitInfo(name: string): UnitNameInfo {
  return parseUnitName(name);
}

/** A unit file read from disk, with its options in the API's form. */
export interface LocalUnitFile {
  readonly path: string;
  readonly options: readonly WireUnitOption[];
  readonly hash: string;
  /** The file as written, sent along so `cat` can print it byte for byte. */
  readonly text: string;
}

/** True when `path` names something on disk (fleet: `!os.IsNotExist(os.Stat(path))`). */
export function existsOnDisk(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/**
 * Reads and parses a local unit file. Syntax errors name the file, line and
 * column (the core parser's UNIT_FILE_SYNTAX); an unreadable file names the
 * file and why.
 */
export function readUnitFile(path: string): LocalUnitFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (code ?? String(error));
    throw new FleetError(ErrorCodes.UNIT_FILE_UNREADABLE, `cannot read unit file ${path}: ${why}`, { file: path, cause: error });
  }
  const file = parseUnitFile(text, { file: path });
  return { path, options: file.options, hash: unitHash(file), text };
}

/**
 * The local file for an argument, as fleet looked for it: the file itself,
 * or for an instance (`dir/web@1.service`) without a file of its own the
 * template next to where it would be (`dir/web@.service`). Undefined when
 * neither exists.
 */
export function findLocalUnitFile(cwd: string, arg: string): LocalUnitFile | undefined {
  const path = resolve(cwd, withDefaultUnitType(arg));
  if (existsOnDisk(path)) return readUnitFile(path);
  const template = unitInfo(unitNameOf(arg)).template;
  if (template === undefined) return undefined;
  const templatePath = join(dirname(path), template);
  return existsOnDisk(templatePath) ? readUnitFile(templatePath) : undefined;
}

/** The content hash of options in the API's form: equal hashes, same unit version. */
export function optionsHash(options: readonly WireUnitOption[]): string {
  return unitHash(new UnitFile(options));
}
