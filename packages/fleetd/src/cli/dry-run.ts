import { dirname, join, resolve } from 'node:path';
import { ErrorCodes, FleetError } from '@fleetd/core';
import type { PlanResult, PlanUnitInput, WireMachine } from '../api/wire.js';
import { machineFullLegend } from './legend.js';
import type { Session } from './session.js';
import { formatTable, type Row } from './table.js';
import { existsOnDisk, readUnitFile, unitInfo, unitNameOf, withDefaultUnitType } from './unit-files.js';

// plan and simulate read their arguments and print their result alike; they
// differ only in who decides the plan: the daemon, or this process offline.

/**
 * Each argument as a unit to plan: its local file; for an instance without
 * one, its template (from the cluster when live, then a local file); when
 * live, a unit already submitted can be named without a file.
 */
export async function planInputs(session: Session, args: readonly string[], live: boolean): Promise<PlanUnitInput[]> {
  const inputs: PlanUnitInput[] = [];
  for (const arg of args) {
    const name = unitNameOf(arg);
    const { template } = unitInfo(name);
    const ownPath = resolve(session.io.cwd, withDefaultUnitType(arg));
    if (existsOnDisk(ownPath)) {
      inputs.push({ name, options: readUnitFile(ownPath).options });
      continue;
    }
    if (live && (await session.client().unit(name)) !== undefined) {
      inputs.push({ name });
      continue;
    }
    const templateOptions = template === undefined ? undefined : await templateFor(session, template, join(dirname(ownPath), template), live);
    if (templateOptions === undefined) {
      const where = live ? 'in the cluster or on the filesystem' : 'on the filesystem';
      throw new FleetError(
        ErrorCodes.UNIT_NOT_FOUND,
        `unable to find unit ${name}${template === undefined ? '' : ` or its template ${template}`} ${where} (no file ${ownPath})`,
        { unit: name },
      );
    }
    inputs.push({ name, options: templateOptions });
  }
  return inputs;
}

async function templateFor(session: Session, template: string, path: string, live: boolean) {
  const inCluster = live ? await session.client().unit(template) : undefined;
  if (inCluster !== undefined) return inCluster.options;
  return existsOnDisk(path) ? readUnitFile(path).options : undefined;
}

/** A table of where each unit would go, then why the unschedulable ones cannot go anywhere. Exit 1 when any cannot. */
export function printPlan(session: Session, result: PlanResult, machines: ReadonlyMap<string, WireMachine>, full: boolean): number {
  const unschedulable = result.units.filter((unit) => unit.machine === undefined && (unit.machines === undefined || unit.machines.length === 0));
  if (session.json) {
    session.printJson(result);
    return unschedulable.length === 0 && result.settled !== false ? 0 : 1;
  }
  const legendOf = (id: string) => machineFullLegend(id, machines.get(id), full);
  const rows: Row[] = [['UNIT', 'MACHINE', 'NOTE']];
  for (const unit of result.units) {
    const target =
      unit.machine !== undefined
        ? legendOf(unit.machine)
        : unit.machines !== undefined && unit.machines.length > 0
          ? `global: ${unit.machines.map(legendOf).join(', ')}`
          : '-';
    const note = unit.summary ?? (unit.previousMachine === undefined ? '' : `moves from ${legendOf(unit.previousMachine)}`);
    rows.push([unit.unit, target, note]);
  }
  let text = formatTable(rows);
  for (const moved of result.moved)
    text += `Would move ${moved.unit} from ${legendOf(moved.from)} to ${moved.to === undefined ? 'nowhere (unschedulable)' : legendOf(moved.to)}\n`;
  for (const unit of unschedulable) {
    text += `\n${unit.unit} cannot be placed: ${unit.summary ?? 'no machine can take it'}\n`;
    const reasons: Row[] = (unit.rejections ?? []).map((rejection) => [
      `  ${legendOf(rejection.machine)}`,
      rejection.plugin,
      rejection.kind,
      rejection.message,
    ]);
    text += formatTable(reasons);
  }
  session.io.stdout.write(text);
  // A plan that never settled is no promise of where units end up: say so, and fail like an unschedulable unit.
  if (result.settled === false) session.err(`fleetctl: ${result.message ?? 'the plan did not settle'}`);
  return unschedulable.length === 0 && result.settled !== false ? 0 : 1;
}
