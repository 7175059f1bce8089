// How fleet reads a unit's [X-Fleet] options (fleet v1.0, job/job.go and
// unit/unit.go), and what it refuses at submit (api/units.go ValidateOptions,
// run by the API and by fleetctl). Plain code, one function per Go function,
// same names where it helps to find them.

export type DesiredState = 'inactive' | 'loaded' | 'launched';

/** One `Name=Value` line of the [X-Fleet] section, as the API receives it. */
export interface FleetOption {
  readonly name: string;
  readonly value: string;
}

/** A submitted unit as fleet's registry holds it: name, [X-Fleet] lines in file order, target state. */
export interface FleetUnit {
  readonly name: string;
  readonly xFleet: readonly FleetOption[];
  readonly targetState: DesiredState;
}

/**
 * The keys fleet knows (job.validRequirements). An unknown key is not refused:
 * fleetctl only logs a warning (job.ValidateRequirements), the API does not look.
 */
export const VALID_REQUIREMENTS: readonly string[] = [
  'MachineID',
  'X-ConditionMachineID',
  'X-ConditionMachineBootID',
  'X-ConditionMachineOf',
  'MachineOf',
  'X-Conflicts',
  'Conflicts',
  'X-ConditionMachineMetadata',
  'MachineMetadata',
  'Global',
  'Replaces',
];

/**
 * unit.parseMultivalueLine: a value that starts and ends with `"` holds several
 * quoted values separated by spaces (quotes dropped); any other value is one value.
 */
export function parseMultivalueLine(line: string): string[] {
  if (!line.startsWith('"') || !line.endsWith('"')) return [line];
  const values: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of line) {
    if (char === '"') {
      quoted = !quoted;
    } else if (char === ' ' && !quoted) {
      values.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  values.push(current);
  return values;
}

/** job.requirements: [X-Fleet] key → every value under it (unit.mapOptions splits multi-values). */
export function requirements(unit: FleetUnit): Map<string, string[]> {
  const byKey = new Map<string, string[]>();
  for (const option of unit.xFleet) {
    const values = byKey.get(option.name) ?? [];
    values.push(...parseMultivalueLine(option.value));
    byKey.set(option.name, values);
  }
  return byKey;
}

function valuesOf(unit: FleetUnit, key: string): string[] {
  return requirements(unit).get(key) ?? [];
}

/** job.isTruthyValue */
function isTruthyValue(value: string): boolean {
  return ['true', 'yes', '1', 'on', 't'].includes(value.toLowerCase());
}

/** job.Unit.IsGlobal: the last Global value wins. */
export function isGlobal(unit: FleetUnit): boolean {
  const values = valuesOf(unit, 'Global');
  const last = values.at(-1);
  return last !== undefined && isTruthyValue(last);
}

/** job.splitCombine: every whitespace-separated word of every value (Go strings.Fields). */
function splitCombine(values: readonly string[]): string[] {
  return values.flatMap((value) => value.split(/\s+/).filter((word) => word !== ''));
}

/** job.Conflicts: X-Conflicts then Conflicts, split on whitespace. */
export function conflicts(unit: FleetUnit): string[] {
  return [...splitCombine(valuesOf(unit, 'X-Conflicts')), ...splitCombine(valuesOf(unit, 'Conflicts'))];
}

/** job.Replaces: the values as they are, NOT split on whitespace (unlike Conflicts). */
export function replaces(unit: FleetUnit): string[] {
  return valuesOf(unit, 'Replaces');
}

/** job.Peers: X-ConditionMachineOf then MachineOf, not split. */
export function peers(unit: FleetUnit): string[] {
  return [...valuesOf(unit, 'X-ConditionMachineOf'), ...valuesOf(unit, 'MachineOf')];
}

/** job.RequiredTarget: the first value of MachineID, else of X-ConditionMachineID, else of X-ConditionMachineBootID. */
export function requiredTarget(unit: FleetUnit): string | undefined {
  for (const key of ['MachineID', 'X-ConditionMachineID', 'X-ConditionMachineBootID']) {
    const [first] = valuesOf(unit, key);
    if (first !== undefined) return first;
  }
  return undefined;
}

/**
 * job.RequiredTargetMetadata: key → accepted values. A value counts only if
 * splitting it at every `=` gives exactly two non-empty parts; any other value
 * (`a=b=c`, `a=`, `region=us disk=ssd` unquoted) is silently ignored.
 */
export function requiredTargetMetadata(unit: FleetUnit): Map<string, Set<string>> {
  const metadata = new Map<string, Set<string>>();
  for (const key of ['X-ConditionMachineMetadata', 'MachineMetadata']) {
    for (const pair of valuesOf(unit, key)) {
      const parts = pair.split('=');
      if (parts.length !== 2) continue;
      const [name, value] = parts as [string, string];
      if (name === '' || value === '') continue;
      const accepted = metadata.get(name) ?? new Set<string>();
      accepted.add(value);
      metadata.set(name, accepted);
    }
  }
  return metadata;
}

/** What fleetctl warns about (job.ValidateRequirements) and then submits anyway, or undefined. */
export function requirementWarning(unit: FleetUnit): string | undefined {
  const unknown = [...requirements(unit).keys()].find((key) => !VALID_REQUIREMENTS.includes(key));
  return unknown === undefined ? undefined : `unrecognized requirement in [X-Fleet] section: "${unknown}"`;
}

/**
 * What fleet refuses at submit (api.ValidateOptions), or undefined: a MachineOf
 * peer matching the unit's own Conflicts or Replaces glob, then the forbidden
 * combinations, in fleet's order. `matches` is Go's path.Match.
 */
export function submitRefusal(unit: FleetUnit, matches: (pattern: string, name: string) => boolean): string | undefined {
  const unitConflicts = conflicts(unit);
  const unitReplaces = replaces(unit);
  const unitPeers = peers(unit);
  for (const peer of unitPeers) {
    const conflict = unitConflicts.find((pattern) => matches(pattern, peer));
    if (conflict !== undefined) return `unresolvable requirements: peer "${peer}" matches conflict "${conflict}"`;
    const replace = unitReplaces.find((pattern) => matches(pattern, peer));
    if (replace !== undefined) return `unresolvable requirements: peer "${peer}" matches replace "${replace}"`;
  }
  const pinned = requiredTarget(unit) !== undefined;
  const global = isGlobal(unit);
  const hasPeers = unitPeers.length > 0;
  const hasConflicts = unitConflicts.length > 0;
  const hasReplaces = unitReplaces.length > 0;
  if (pinned && hasPeers) return 'MachineID cannot be used with Peers';
  if (pinned && hasConflicts) return 'MachineID cannot be used with Conflicts';
  if (pinned && global) return 'MachineID cannot be used with Global';
  if (pinned && hasReplaces) return 'MachineID cannot be used with Replaces';
  if (global && hasPeers) return 'Global cannot be used with Peers';
  if (global && hasReplaces) return 'Global cannot be used with Replaces';
  if (hasConflicts && hasReplaces) return 'Conflicts cannot be used with Replaces';
  return undefined;
}
