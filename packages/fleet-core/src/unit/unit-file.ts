import { ErrorCodes, FleetError } from '../errors.js';
import { keyProblem, sectionProblem, valueProblem } from './syntax.js';

/** One `Name=Value` line of a section; the same shape as fleet's HTTP API unit options. */
export interface UnitOption {
  readonly section: string;
  readonly name: string;
  readonly value: string;
}

const NO_VALUES: readonly string[] = Object.freeze([]);

/** Options of one section, and their values by name for O(1) look-ups. */
interface SectionIndex {
  readonly options: UnitOption[];
  readonly byName: Map<string, string[]>;
}

/**
 * An immutable, parsed unit file. Options are kept in normalized order: grouped
 * by section in first-appearance order, in their own order within a section,
 * which is exactly the order the canonical text has, so serialize → parse gives
 * the same options back. Sections without options do not exist here (fleet's
 * option list cannot express them either).
 *
 * Constructing from options validates them: anything the parser could not have
 * produced (a line break in a value, a key with spaces, ...) is refused with
 * UNIT_FILE_SYNTAX, so every UnitFile can be written out and read back.
 */
export class UnitFile {
  readonly options: readonly UnitOption[];
  readonly #sections: ReadonlyMap<string, SectionIndex>;

  constructor(options: Iterable<UnitOption>) {
    this.#sections = indexOptions(options);
    const ordered: UnitOption[] = [];
    for (const section of this.#sections.values()) ordered.push(...section.options);
    this.options = Object.freeze(ordered);
  }

  /** Section names, in first-appearance order. */
  sections(): string[] {
    return [...this.#sections.keys()];
  }

  /** Every value of a (possibly repeated) option, in order; empty when absent. */
  values(section: string, name: string): readonly string[] {
    return this.#sections.get(section)?.byName.get(name) ?? NO_VALUES;
  }

  has(section: string, name: string): boolean {
    return this.values(section, name).length > 0;
  }

  /** The value systemd acts on for single-valued options: the last one wins. */
  lastValue(section: string, name: string): string | undefined {
    const values = this.values(section, name);
    return values[values.length - 1];
  }
}

function indexOptions(options: Iterable<UnitOption>): Map<string, SectionIndex> {
  const sections = new Map<string, SectionIndex>();
  let position = 0;
  for (const option of options) {
    const copy = checkedCopy(option, position++);
    let section = sections.get(copy.section);
    if (section === undefined) {
      section = { options: [], byName: new Map() };
      sections.set(copy.section, section);
    }
    section.options.push(copy);
    const values = section.byName.get(copy.name);
    if (values === undefined) section.byName.set(copy.name, [copy.value]);
    else values.push(copy.value);
  }
  // Frozen so values() can hand out the stored arrays without copying.
  for (const section of sections.values()) for (const values of section.byName.values()) Object.freeze(values);
  return sections;
}

/** A frozen copy holding only the three fields (input may be parsed JSON with extras). */
function checkedCopy(option: UnitOption, position: number): UnitOption {
  const { section, name, value } = option as Partial<Record<keyof UnitOption, unknown>>;
  if (typeof section !== 'string' || typeof name !== 'string' || typeof value !== 'string') {
    throw invalidOption(position, 'section, name and value must all be strings');
  }
  const problem = sectionProblem(section) ?? keyProblem(name) ?? valueProblem(value);
  if (problem !== undefined) throw invalidOption(position, `[${section}] ${name}: ${problem.message}`);
  return Object.freeze({ section, name, value });
}

function invalidOption(position: number, what: string): FleetError {
  return new FleetError(ErrorCodes.UNIT_FILE_SYNTAX, `unit option #${position + 1}: ${what}`);
}
