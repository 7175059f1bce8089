import { ErrorCodes, FleetError } from '../errors.js';
import type { Unit } from '../model/unit.js';
import type { PluginHost } from '../plugin/host.js';
import { baseResolvedUnit } from './resolve.js';

/**
 * Refuses a unit whose options no plugin can accept (fleet's invalid option
 * combinations), before it is stored: the error names the unit, the plugin
 * and the problem.
 */
export function validateUnit(host: PluginHost, unit: Pick<Unit, 'name' | 'hash' | 'file'>): void {
  const resolved = host.hooks.resolveUnit.call(baseResolvedUnit(unit));
  const problem = host.hooks.validateUnit.call(resolved);
  if (problem === undefined) return;
  const plugin = host.runtime.pluginNames[host.runtime.rejectedBy];
  throw new FleetError(ErrorCodes.UNIT_INVALID, `unit ${unit.name}: ${problem}`, { unit: unit.name, plugin });
}
