import { dirname, join, resolve } from 'node:path';
import { ErrorCodes, FleetError } from '@fleetd/core';
import type { DesiredState } from '@fleetd/core';
import type { WireUnit, WireUnitOption } from '../api/wire.js';
import type { Session } from './session.js';
import { existsOnDisk, findLocalUnitFile, optionsHash, readUnitFile, unitInfo, unitNameOf, withDefaultUnitType } from './unit-files.js';

/** The commands that may create (and with --replace, replace) units. */
export type CreatingCommand = 'submit' | 'load' | 'start';

/** fleet's checkReplaceUnitState: the desired states each command may replace a unit in. */
const REPLACEABLE_IN: Readonly<Record<CreatingCommand, readonly DesiredState[]>> = {
  submit: ['inactive'],
  load: ['inactive', 'loaded'],
  start: ['inactive', 'loaded', 'launched'],
};

export interface CreateOptions {
  readonly command: CreatingCommand;
  readonly replace: boolean;
}

/**
 * fleet's lazyCreateUnits: makes sure every argument names a unit in the
 * cluster, in this order: a unit of that name already there; a local unit
 * file; for an instance, its template in the cluster, then a local template
 * file next to the argument. Returns the unit names, in argument order.
 */
export async function ensureUnits(session: Session, args: readonly string[], options: CreateOptions): Promise<string[]> {
  const names: string[] = [];
  for (const arg of args) {
    const name = unitNameOf(arg);
    unitInfo(name);
    const existing = await session.client().unit(name);
    if (existing === undefined) await createUnit(session, arg, name);
    else await maybeReplace(session, arg, existing, options);
    names.push(name);
  }
  return names;
}

async function createUnit(session: Session, arg: string, name: string): Promise<void> {
  const { options, text } = await contentsFor(session, arg, name);
  await session.client().putUnit({ name, options, desiredState: 'inactive', ...(text === undefined ? {} : { contents: text }) });
  session.out(`Unit ${name} inactive`);
}

interface UnitContents {
  readonly options: readonly WireUnitOption[];
  readonly text: string | undefined;
}

async function contentsFor(session: Session, arg: string, name: string): Promise<UnitContents> {
  const ownPath = resolve(session.io.cwd, withDefaultUnitType(arg));
  if (existsOnDisk(ownPath)) return readUnitFile(ownPath);
  const { template } = unitInfo(name);
  if (template === undefined) {
    throw new FleetError(ErrorCodes.UNIT_NOT_FOUND, `unable to find unit ${name} in the cluster or on the filesystem (no file ${ownPath})`, { unit: name });
  }
  const inCluster = await session.client().unit(template);
  if (inCluster !== undefined) return { options: inCluster.options, text: inCluster.contents };
  const templatePath = join(dirname(ownPath), template);
  if (existsOnDisk(templatePath)) return readUnitFile(templatePath);
  throw new FleetError(
    ErrorCodes.UNIT_NOT_FOUND,
    `unable to find unit ${name} or its template ${template} in the cluster or on the filesystem (no file ${templatePath})`,
    { unit: name },
  );
}

/** An existing unit stays as it is unless the local file differs and --replace says to replace it. */
async function maybeReplace(session: Session, arg: string, existing: WireUnit, options: CreateOptions): Promise<void> {
  const local = findLocalUnitFile(session.io.cwd, arg);
  const differs = local !== undefined && local.hash !== optionsHash(existing.options);
  if (!differs) {
    if (options.replace) session.out(`Found same unit ${existing.name} in the cluster, nothing to replace`);
    return;
  }
  if (!options.replace) {
    throw new FleetError(
      ErrorCodes.UNIT_EXISTS,
      `unit ${existing.name} in the cluster differs from local unit file ${local.path}; add --replace to replace it`,
      { unit: existing.name, file: local.path },
    );
  }
  const desired = existing.desiredState ?? 'inactive';
  if (!REPLACEABLE_IN[options.command].includes(desired)) {
    throw new FleetError(
      ErrorCodes.UNIT_STATE_TRANSITION,
      `cannot replace unit ${existing.name} in state ${desired} with ${options.command}; use ${desired === 'launched' ? 'start' : 'load'} --replace`,
      { unit: existing.name },
    );
  }
  // The desired state is sent along: without it the API resets it to inactive (fleet's rule for a
  // replacing PUT), and fleetd's replace is in place, the unit keeps running on its new version.
  await session.client().putUnit({ name: existing.name, options: local.options, contents: local.text, desiredState: desired });
  session.out(`Unit ${existing.name} replaced`);
}
