import { endsWithContinuation } from './syntax.js';
import { UnitFile, type UnitOption } from './unit-file.js';

/** A UnitFile as is; an option list validated and put in normalized order first. */
export function toUnitFile(file: UnitFile | readonly UnitOption[]): UnitFile {
  return file instanceof UnitFile ? file : new UnitFile(file);
}

/**
 * Canonical text: `[Section]` then `Name=Value` lines, a blank line between
 * sections, a final newline; no comments, no continuations. parseUnitFile()
 * reads it back to the same options. An option list is validated by the
 * UnitFile constructor first, so values with line breaks are refused
 * (UNIT_FILE_SYNTAX) rather than written as continuations that systemd would
 * read back differently.
 */
export function serializeUnitFile(file: UnitFile | readonly UnitOption[]): string {
  let text = '';
  let current: string | undefined;
  for (const option of toUnitFile(file).options) {
    if (option.section !== current) {
      text += `${current === undefined ? '' : '\n'}[${option.section}]\n`;
      current = option.section;
    }
    text += `${option.name}=${encodeValue(option.value)}\n`;
  }
  return text;
}

/**
 * A value ending in an odd run of backslashes would continue onto the next line.
 * systemd only continues when the backslash is the very last character, so one
 * trailing space keeps the value intact (the reader strips the space again).
 */
function encodeValue(value: string): string {
  return endsWithContinuation(value) ? `${value} ` : value;
}
