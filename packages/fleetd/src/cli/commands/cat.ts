import { Command } from '@commander-js/extra-typings';
import { serializeUnitFile, UnitFile } from '@fleetd/core';
import { findUnits } from '../find-units.js';
import type { RunWork, Session } from '../session.js';
import { unitNameOf } from '../unit-files.js';

export function catCommand(run: RunWork) {
  return new Command('cat')
    .description('print the unit file the cluster holds')
    .argument('<units...>')
    .action((units) => run((session) => catUnits(session, units.map(unitNameOf))));
}

/**
 * fleet's cat: the unit file as submitted when fleetd has its text (fleetctl
 * sends it), else in canonical form from its options (units written through
 * fleet's API).
 */
export async function catUnits(session: Session, names: readonly string[]): Promise<number> {
  const units = await findUnits(session, names);
  const texts = units.map((unit) => unit.contents ?? serializeUnitFile(new UnitFile(unit.options)));
  session.io.stdout.write(texts.join('\n'));
  return 0;
}
