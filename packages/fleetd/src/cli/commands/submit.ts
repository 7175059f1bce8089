import { Command } from '@commander-js/extra-typings';
import { ensureUnits } from '../create-units.js';
import { withReplaceOption } from '../options.js';
import type { RunWork, Session } from '../session.js';

/** `submit UNITS...`: fleet's submit, which uploads units without scheduling them. */
export function submitCommand(run: RunWork) {
  return withReplaceOption(new Command('submit').description('upload units to the cluster without starting them').argument('<units...>')).action(
    (units, options) => run((session) => submitUnits(session, units, options)),
  );
}

export async function submitUnits(session: Session, args: readonly string[], options: { readonly replace?: boolean }): Promise<number> {
  await ensureUnits(session, args, { command: 'submit', replace: options.replace === true });
  return 0;
}
