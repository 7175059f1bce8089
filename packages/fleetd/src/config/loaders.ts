/**
 * cosmiconfig loaders that turn syntax errors and throwing config modules into
 * CONFIG_INVALID naming the file and line, never a raw stack.
 */
import { createJiti } from 'jiti';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { describeThrown, ErrorCodes, FleetError } from '@fleetd/core';

function syntaxError(file: string, line: number | undefined, column: number | undefined, message: string): FleetError {
  const where = line === undefined ? '' : column === undefined ? ` at line ${line}` : ` at line ${line}, column ${column}`;
  return new FleetError(ErrorCodes.CONFIG_INVALID, `invalid configuration in ${file}: syntax error${where}: ${message}`, {
    file,
    line,
    column,
    issues: [`syntax error${where}: ${message}`],
  });
}

function lineAndColumn(contents: string, position: number): { line: number; column: number } {
  const before = contents.slice(0, position);
  const line = before.split('\n').length;
  return { line, column: position - before.lastIndexOf('\n') };
}

export function loadJson(file: string, contents: string): unknown {
  try {
    return JSON.parse(contents) as unknown;
  } catch (error) {
    const message = describeThrown(error);
    const position = /at position (\d+)/.exec(message)?.[1];
    // "Unexpected end of JSON input" has no position: the problem is at the end.
    const at = lineAndColumn(contents, position === undefined ? contents.trimEnd().length : Number(position));
    const clean = message.replace(/,? ?"[\s\S]*" is not valid JSON$/, '').replace(/ in JSON at position \d+.*$/, '');
    return raise(syntaxError(file, at.line, at.column, clean));
  }
}

export function loadYaml(file: string, contents: string): unknown {
  try {
    return parseYaml(contents) as unknown;
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const position = error.linePos?.[0];
      const message = error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? error.message;
      return raise(syntaxError(file, position?.line, position?.col, message));
    }
    return raise(syntaxError(file, undefined, undefined, describeThrown(error)));
  }
}

/**
 * TS, MTS and JS configs go through jiti: users need no TypeScript install, and
 * syntax errors come back with file:line (Node's own import() gives neither).
 * The source is read and evaluated on every load (jiti would import .mjs
 * natively, and Node caches that forever), so a SIGHUP reload sees the edit.
 */
export async function loadScript(file: string, contents: string): Promise<unknown> {
  const jiti = createJiti(import.meta.url, { moduleCache: false, fsCache: false });
  try {
    const module = await jiti.evalModule(contents, { filename: file, async: true, forceTranspile: true });
    const exported = typeof module === 'object' && module !== null && 'default' in module ? module.default : module;
    return await exported;
  } catch (error) {
    throw scriptError(file, error);
  }
}

function scriptError(file: string, error: unknown): FleetError {
  const message = describeThrown(error);
  const parse = /^ParseError: ([^\n]*?)\s*\n\s*\S+:(\d+):(\d+)/.exec(message);
  if (parse !== null) return syntaxError(file, Number(parse[2]), Number(parse[3]), parse[1] ?? message);
  const line = lineInStack(file, error);
  const where = line === undefined ? '' : ` (line ${line})`;
  return new FleetError(ErrorCodes.CONFIG_INVALID, `invalid configuration in ${file}: loading it threw${where}: ${message}`, {
    file,
    line,
    issues: [`loading it threw${where}: ${message}`],
    cause: error,
  });
}

/** The line of the first stack frame inside the config file itself. */
function lineInStack(file: string, error: unknown): number | undefined {
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  for (const frame of stack.split('\n')) {
    const at = frame.lastIndexOf(`${file}:`);
    if (at === -1) continue;
    const line = /^(\d+)/.exec(frame.slice(at + file.length + 1))?.[1];
    if (line !== undefined) return Number(line);
  }
  return undefined;
}

function raise(error: FleetError): never {
  throw error;
}
