import { endsWithContinuation, isCommentLine } from './syntax.js';
import { UnitFile, type UnitOption } from './unit-file.js';

/** A UnitFile as is; an option list validated and put in normalized order first. */
export function toUnitFile(file: UnitFile | readonly UnitOption[]): UnitFile {
  return file instanceof UnitFile ? file : new UnitFile(file);
}

/**
 * Canonical text: `[Section]` then `Name=Value` lines, a blank line between
 * sections, a final newline; no comments. A value holding continued lines
 * (backslash-newline, as fleet's client keeps them) is written as those
 * lines, which systemd reads as one value. parseUnitFile() reads the text
 * back to the same options. An option list is validated by the UnitFile
 * constructor first, so any other line break in a value is refused
 * (UNIT_FILE_SYNTAX) rather than written as a line systemd would read apart.
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
 * A value whose last line ends in an odd run of backslashes would continue
 * onto the next line. systemd only continues when the backslash is the very
 * last character, so one trailing space keeps the value intact (the reader
 * strips the space again). A value whose last line is a comment (inside its
 * continuation) leaves the continuation open for systemd, which skips the
 * comment: a blank line after it closes it.
 */
function encodeValue(value: string): string {
  const lastBreak = value.lastIndexOf('\n');
  if (lastBreak !== -1 && isCommentLine(value.slice(lastBreak + 1))) {
    return `${value.endsWith('\\') ? `${value} ` : value}\n`;
  }
  return endsWithContinuation(value) ? `${value} ` : value;
}
