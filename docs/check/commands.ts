/**
 * `fleetctl ...` and `fleetd ...` lines of shell blocks, checked against the
 * real command lines: fleetctl's commander program (packages/fleetd/src/cli/program.ts)
 * parses each invocation without running it, fleetd's flags come from OPTION_TABLE.
 */
import { CommanderError } from 'commander';
import { OPTION_TABLE } from 'fleetd';
import { buildProgram } from '../../packages/fleetd/src/cli/program.js';
import { parseDevArgs } from '../../packages/fleetd/src/dev/command.js';

/** Words of a shell line, honouring quotes; a `#` comment ends it. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let current = '';
  let quote: string | undefined;
  let started = false;
  for (const ch of line) {
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      else current += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      started = true;
    } else if (ch === '#' && !started && current === '') {
      break;
    } else if (/\s/.test(ch)) {
      if (started) words.push(current);
      current = '';
      started = false;
    } else {
      current += ch;
      started = true;
    }
  }
  if (started) words.push(current);
  return words;
}

export interface Invocation {
  readonly command: 'fleetctl' | 'fleetd';
  readonly args: readonly string[];
  /** Line inside the block (0-based). */
  readonly offset: number;
}

const SEPARATORS = new Set(['&&', '||', ';', '|']);

/** Every fleetctl/fleetd invocation of a shell block: at the start of a line, after `$ `, `sudo` or a separator. */
export function invocations(text: string): Invocation[] {
  const found: Invocation[] = [];
  const lines = text.split('\n');
  for (const [offset, raw] of lines.entries()) {
    const words = shellWords(raw.replace(/^\s*\$\s+/, ''));
    let start = 0;
    for (let index = 0; index <= words.length; index++) {
      const word = words[index];
      if (word !== undefined && !SEPARATORS.has(word)) continue;
      collect(words.slice(start, index), offset, found);
      start = index + 1;
    }
  }
  return found;
}

function collect(words: readonly string[], offset: number, into: Invocation[]): void {
  let index = 0;
  // Leading environment assignments, sudo and npx: `FLEETCTL_ENDPOINT=... fleetctl list-units`, `npx fleetd dev`.
  while (index < words.length && (/^[A-Z_][A-Z0-9_]*=/.test(words[index] ?? '') || words[index] === 'sudo' || words[index] === 'npx')) index++;
  const command = words[index];
  if (command === 'fleetctl' || command === 'fleetd')
    into.push({ command, args: synopsisToExample(words.slice(index + 1).filter((word) => word !== '\\')), offset });
}

/**
 * Synopsis lines (`fleetctl load [--replace] [--block-attempts <n>] <units...>`)
 * become a concrete invocation: optional parts are given (the last spelling of
 * `[-l|--full]`), placeholders get a value of their kind.
 */
export function synopsisToExample(words: readonly string[]): string[] {
  return words.map((word) => {
    const bare = word.replace(/^\[/, '').replace(/\]$/, '');
    const option = bare.split('|').at(-1) ?? bare;
    if (/^<n>$/.test(option)) return '1';
    if (/^<.+>$/.test(option)) return 'web.service';
    return option;
  });
}

/** Why fleetctl would refuse these arguments before doing anything, or undefined when it accepts them. */
export async function fleetctlProblem(args: readonly string[]): Promise<string | undefined> {
  let output = '';
  const io = { stdout: { write: (text: string) => (output += text) }, stderr: { write: (text: string) => (output += text) }, env: {}, cwd: process.cwd() };
  // Parsed, never run: the runner does no work.
  const program = buildProgram(
    io,
    () => {},
    async () => {},
  );
  try {
    await program.parseAsync([...args], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError && error.exitCode === 0) return undefined; // --help, --version
    return error instanceof Error ? error.message : String(error);
  }
  return undefined;
}

const FLEETD_FLAGS = new Set(['-c', '--config', '-h', '--help', '-V', '--version', ...OPTION_TABLE.map((row) => row.flag)]);

/** fleetd flags that do not exist (fleetd's own parser would refuse them); `fleetd dev` by its own parser. */
export function fleetdProblem(args: readonly string[]): string | undefined {
  if (args[0] === 'dev') {
    const parsed = parseDevArgs(args.slice(1));
    return 'exit' in parsed && parsed.exit !== 0 ? parsed.text.trim() : undefined;
  }
  const unknown = args
    .filter((arg) => arg.startsWith('-'))
    .map((arg) => arg.split('=')[0] ?? arg)
    .filter((flag) => !FLEETD_FLAGS.has(flag));
  return unknown.length === 0 ? undefined : `unknown fleetd flag(s): ${unknown.join(', ')}`;
}
