import { ErrorCodes, FleetError } from '../errors.js';
import { describeChar } from './syntax.js';

/** Every unit type fleet accepts (fleet api/units.go validUnitTypes). */
export const UNIT_TYPES = [
  'automount',
  'busname',
  'device',
  'mount',
  'path',
  'scope',
  'service',
  'slice',
  'snapshot',
  'socket',
  'swap',
  'target',
  'timer',
] as const;

export type UnitType = (typeof UNIT_TYPES)[number];

/** Types that may be templates or instances (systemd unit_type_may_template()). */
export const TEMPLATE_UNIT_TYPES = ['path', 'service', 'socket', 'target', 'timer'] as const satisfies readonly UnitType[];

/**
 * systemd's limit (unit_name_is_valid refuses 256 and more). fleet allowed
 * 256 (api/units.go unitNameMax), but systemd could never load such a unit,
 * so fleetd refuses it at submit instead of failing on the machine.
 */
export const MAX_UNIT_NAME_LENGTH = 255;

export interface UnitNameInfo {
  /** The full name, e.g. `foo@bar.service`. */
  readonly name: string;
  /** Before the `@` (`foo`), or the whole name without its type for a plain unit. */
  readonly prefix: string;
  /** `''` for a template, the instance for an instance, undefined for a plain unit. */
  readonly instance: string | undefined;
  readonly type: UnitType;
  readonly isTemplate: boolean;
  readonly isInstance: boolean;
  /** For an instance, its template (`foo@.service`); undefined otherwise, templates included. */
  readonly template: string | undefined;
}

const TYPES: ReadonlySet<string> = new Set(UNIT_TYPES);
const TEMPLATE_TYPES: ReadonlySet<string> = new Set(TEMPLATE_UNIT_TYPES);
const NAME_CHAR = /^[A-Za-z0-9:_.@\\-]$/;
/** Every character allowed: the common case, checked in one pass before looking for the one that is not. */
const ALL_NAME_CHARS = /^[A-Za-z0-9:_.@\\-]*$/;
const ONLY_DOTS = /^\.+$/;

/**
 * Splits and validates a unit name, throwing UNIT_NAME_INVALID with the rule
 * broken. Rules: fleet's ValidateName (api/units.go) — at most 255 characters (systemd's limit; fleet said 256)
 * of [A-Za-z0-9:_.@-] and `\`, a known type after the last `.`, no leading `@`
 * — plus systemd's: templates and instances only of template-able types, a
 * non-empty prefix; and fleetd's own: no prefix or instance made only of dots.
 * Like systemd (unit_name_is_valid, unit_instance_is_valid) and fleet, further
 * `@`s are allowed and belong to the instance: `a@b@c.service` is instance `b@c`.
 */
export function parseUnitName(name: string): UnitNameInfo {
  const result = examine(name);
  if (typeof result === 'string') {
    throw new FleetError(ErrorCodes.UNIT_NAME_INVALID, `invalid unit name ${show(name)}: ${result}`, {
      unit: String(name),
    });
  }
  return result;
}

export function isValidUnitName(name: string): boolean {
  return typeof examine(name) !== 'string';
}

/** The template of an instance (`foo@1.service` → `foo@.service`); undefined for other valid names. Throws on invalid ones. */
export function templateOf(name: string): string | undefined {
  return parseUnitName(name).template;
}

/** The name's parts, or the rule it breaks. */
function examine(name: unknown): UnitNameInfo | string {
  if (typeof name !== 'string') return 'a unit name must be a string';
  if (name.length === 0) return 'the name is empty';
  if (name.length > MAX_UNIT_NAME_LENGTH) return `it is ${name.length} characters long, the most is ${MAX_UNIT_NAME_LENGTH}`;
  const dot = name.lastIndexOf('.');
  if (dot === -1) return `it has no type suffix (one of .${UNIT_TYPES.join(', .')})`;
  const type = name.slice(dot + 1);
  if (!TYPES.has(type)) return type === '' ? "it ends in '.' instead of a unit type" : `unknown unit type '${type}'`;
  const stem = name.slice(0, dot);
  return checkStem(stem) ?? split(name, stem, type as UnitType);
}

function checkStem(stem: string): string | undefined {
  if (!ALL_NAME_CHARS.test(stem)) return refusedCharacter(stem);
  if (stem.startsWith('@')) return "it starts with '@'";
  if (stem.length === 0) return 'the prefix before the type is empty';
  return undefined;
}

function refusedCharacter(stem: string): string | undefined {
  for (let i = 0; i < stem.length; i++) {
    // Everything before a refused character is ASCII, so `i` counts characters; the refused one is read
    // whole, so an emoji is shown as itself, not as half a surrogate pair.
    const ch = String.fromCodePoint(stem.codePointAt(i) ?? 0);
    if (ch === '/') return `'/' is not allowed (position ${i + 1})`;
    if (!NAME_CHAR.test(ch)) return `character ${describeChar(ch)} at position ${i + 1} is not allowed (only A-Z a-z 0-9 : _ . @ - \\)`;
  }
  return undefined;
}

function split(name: string, stem: string, type: UnitType): UnitNameInfo | string {
  const at = stem.indexOf('@');
  const prefix = at === -1 ? stem : stem.slice(0, at);
  const instance = at === -1 ? undefined : stem.slice(at + 1);
  // Dots-only parts would become `.`/`..` path components through %p and %i.
  if (ONLY_DOTS.test(prefix)) return `the prefix '${prefix}' is only dots`;
  if (instance !== undefined && ONLY_DOTS.test(instance)) return `the instance '${instance}' is only dots`;
  if (instance !== undefined && !TEMPLATE_TYPES.has(type)) {
    return `${type} units cannot be templates or instances (only ${TEMPLATE_UNIT_TYPES.join(', ')})`;
  }
  const isInstance = instance !== undefined && instance !== '';
  return {
    name,
    prefix,
    instance,
    type,
    isTemplate: instance === '',
    isInstance,
    template: isInstance ? `${prefix}@.${type}` : undefined,
  };
}

/** The name for a message: quoted, control characters escaped, long names cut. */
function show(name: unknown): string {
  const text = String(name);
  const shown = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  return JSON.stringify(shown);
}
