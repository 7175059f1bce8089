import { dirname, join, resolve } from 'node:path';
import { ErrorCodes, FleetError } from '@fleetd/core';
import type { DesiredState } from '@fleetd/core';
import type { WireUnit, WireUnitOption } from '../api/wire.js';
import type { UnitWrite } from './client.js';
import { ClusterUnits } from './find-units.js';
import type { Session } from './session.js';
import { writeUnits } from './write-units.js';
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

/** What one argument asks of the cluster: a write (a creation or a replacement) and the line fleet prints for it. */
interface Step {
  readonly write?: UnitWrite;
  readonly line: string | undefined;
}

/**
 * fleet's lazyCreateUnits: makes sure every argument names a unit in the
 * cluster, in this order: a unit of that name already there; a local unit
 * file; for an instance, its template in the cluster, then a local template
 * file next to the argument. Returns the units as they are then, in argument
 * order.
 *
 * fleet went argument by argument, a request at a time. Here every argument
 * is worked out first (from one read of the cluster's units), then the writes
 * go many at once, and the lines are printed in argument order. What fleet
 * did on an error is kept: the arguments before it are created and printed,
 * then the error; nothing after it is written, except writes already in
 * flight when the daemon refused one.
 */
export async function ensureUnits(session: Session, args: readonly string[], options: CreateOptions): Promise<WireUnit[]> {
  const cluster = await ClusterUnits.for(session, args.map(unitNameOf));
  const steps: Step[] = [];
  const units: WireUnit[] = [];
  let planError: Error | undefined;
  try {
    for (const arg of args) {
      const name = unitNameOf(arg);
      unitInfo(name);
      const existing = await cluster.get(name);
      const step = existing === undefined ? await creation(session, cluster, arg, name) : replacement(session, arg, existing, options);
      if (step.write !== undefined) cluster.record(afterWrite(step.write));
      steps.push(step);
      units.push((await cluster.get(name)) as WireUnit);
    }
  } catch (error) {
    planError = error instanceof Error ? error : new Error(String(error));
  }
  await writeInOrder(session, steps);
  if (planError !== undefined) throw planError;
  return units;
}

/** The writes, many at once; the lines of the steps before the first failure, then that failure. */
async function writeInOrder(session: Session, steps: readonly Step[]): Promise<void> {
  const writing = steps.flatMap((step, index) => (step.write === undefined ? [] : [{ index, write: step.write }]));
  const { written, failure } = await writeUnits(
    session,
    writing.map(({ write }) => write),
  );
  const until = failure === undefined ? steps.length : (writing[written]?.index ?? steps.length);
  for (const step of steps.slice(0, until)) if (step.line !== undefined) session.out(step.line);
  if (failure !== undefined) throw failure;
}

/** The unit as the cluster holds it once `write` is done. */
function afterWrite(write: UnitWrite): WireUnit {
  return {
    name: write.name,
    options: write.options ?? [],
    desiredState: write.desiredState ?? 'inactive',
    ...(write.contents === undefined ? {} : { contents: write.contents }),
  };
}

async function creation(session: Session, cluster: ClusterUnits, arg: string, name: string): Promise<Step> {
  const { options, text } = await contentsFor(session, cluster, arg, name);
  return { write: { name, options, desiredState: 'inactive', ...(text === undefined ? {} : { contents: text }) }, line: `Unit ${name} inactive` };
}

interface UnitContents {
  readonly options: readonly WireUnitOption[];
  readonly text: string | undefined;
}

async function contentsFor(session: Session, cluster: ClusterUnits, arg: string, name: string): Promise<UnitContents> {
  const ownPath = resolve(session.io.cwd, withDefaultUnitType(arg));
  if (existsOnDisk(ownPath)) return readUnitFile(ownPath);
  const { template } = unitInfo(name);
  if (template === undefined) {
    throw new FleetError(ErrorCodes.UNIT_NOT_FOUND, `unable to find unit ${name} in the cluster or on the filesystem (no file ${ownPath})`, { unit: name });
  }
  const inCluster = await cluster.get(template);
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
function replacement(session: Session, arg: string, existing: WireUnit, options: CreateOptions): Step {
  const local = findLocalUnitFile(session.io.cwd, arg);
  const differs = local !== undefined && local.hash !== optionsHash(existing.options);
  if (!differs) return { line: options.replace ? `Found same unit ${existing.name} in the cluster, nothing to replace` : undefined };
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
  return { write: { name: existing.name, options: local.options, contents: local.text, desiredState: desired }, line: `Unit ${existing.name} replaced` };
}
