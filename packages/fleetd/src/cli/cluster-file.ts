import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { createMachine, ErrorCodes, factFromInput, factNameProblem, FleetError, validateMachineId } from '@fleetd/core';
import type { MachineFact, MachineFacts } from '@fleetd/core';
import type { PlanMachineInput } from '../api/wire.js';

/**
 * `fleetctl simulate --cluster FILE`: the machines of an imagined cluster, in
 * YAML or JSON (JSON is YAML):
 *
 *     machines:
 *       - id: web-1
 *         metadata: { region: us-east-1, disk: ssd }
 *       - id: web-2
 *         metadata: region=us-west-1,disk=hdd     # fleet's k=v,k2=v2 works too
 *         facts: { cpu: 4, memory: 8G, gpu: 2 }   # typed facts: number, size, text
 *
 * Every problem names the file, the line and the path of the bad value.
 */
export function readClusterFile(path: string): PlanMachineInput[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new FleetError(ErrorCodes.CONFIG_NOT_FOUND, `--cluster ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`, {
      file: path,
      cause: error,
    });
  }
  return parseClusterFile(path, text);
}

export function parseClusterFile(file: string, text: string): PlanMachineInput[] {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const syntax = document.errors[0];
  if (syntax !== undefined) {
    const line = lines.linePos(syntax.pos[0]).line;
    throw invalid(file, line, '', syntax.message.split('\n')[0] ?? 'invalid YAML');
  }
  const lineOf = (path: readonly (string | number)[]): number | undefined => {
    const node = document.getIn(path, true) as { range?: [number, number, number] } | undefined;
    return node?.range === undefined ? undefined : lines.linePos(node.range[0]).line;
  };
  return machinesOf(file, document.toJS() as unknown, lineOf);
}

type LineOf = (path: readonly (string | number)[]) => number | undefined;

function machinesOf(file: string, root: unknown, lineOf: LineOf): PlanMachineInput[] {
  if (!isRecord(root)) throw invalid(file, 1, '', 'expected a mapping with a "machines" list');
  const unknown = Object.keys(root).filter((key) => key !== 'machines');
  if (unknown.length > 0) throw invalid(file, lineOf([unknown[0] ?? '']), unknown[0] ?? '', 'unknown key (only "machines" is allowed)');
  const { machines } = root;
  if (!Array.isArray(machines) || machines.length === 0) throw invalid(file, lineOf(['machines']) ?? 1, 'machines', 'expected a non-empty list of machines');
  const seen = new Set<string>();
  return machines.map((entry: unknown, index) => {
    const machine = machineOf(file, entry, index, lineOf);
    if (seen.has(machine.id)) throw invalid(file, lineOf(['machines', index, 'id']), `machines[${index}].id`, `machine ${machine.id} is listed twice`);
    seen.add(machine.id);
    return machine;
  });
}

function machineOf(file: string, entry: unknown, index: number, lineOf: LineOf): PlanMachineInput {
  const at = `machines[${index}]`;
  if (!isRecord(entry)) throw invalid(file, lineOf(['machines', index]), at, 'expected a mapping with "id" and optional "metadata" and "facts"');
  const extra = Object.keys(entry).find((key) => key !== 'id' && key !== 'metadata' && key !== 'facts');
  if (extra !== undefined)
    throw invalid(file, lineOf(['machines', index, extra]), `${at}.${extra}`, 'unknown key (only "id", "metadata" and "facts" are allowed)');
  let id: string;
  try {
    id = validateMachineId(entry['id']);
  } catch (error) {
    throw invalid(file, lineOf(['machines', index, 'id']) ?? lineOf(['machines', index]), `${at}.id`, (error as Error).message);
  }
  const metadata = metadataOf(entry['metadata'], (why, key) =>
    invalid(
      file,
      lineOf(['machines', index, 'metadata', ...(key === undefined ? [] : [key])]) ?? lineOf(['machines', index]),
      `${at}.metadata${key === undefined ? '' : `.${key}`}`,
      why,
    ),
  );
  try {
    createMachine({ id, metadata });
  } catch (error) {
    throw invalid(file, lineOf(['machines', index, 'metadata']), `${at}.metadata`, (error as Error).message);
  }
  const facts = factsOf(entry['facts'], (why, name) =>
    invalid(
      file,
      lineOf(['machines', index, 'facts', ...(name === undefined ? [] : [name])]) ?? lineOf(['machines', index]),
      `${at}.facts${name === undefined ? '' : `.${name}`}`,
      why,
    ),
  );
  return { id, metadata, ...(facts === undefined ? {} : { facts }) };
}

/** `facts: { cpu: 4, memory: 8G, gpu: 2 }`: short forms (number, size, text, true/false) or `{ type, value }`. */
function factsOf(value: unknown, fail: (why: string, name?: string) => FleetError): MachineFacts | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw fail('expected a mapping of fact name: value (cpu: 4, memory: 8G)');
  const facts: Record<string, MachineFact> = {};
  for (const [name, input] of Object.entries(value)) {
    const parsed = factFromInput(input);
    const problem = factNameProblem(name) ?? (typeof parsed === 'string' ? parsed : undefined);
    if (problem !== undefined) throw fail(problem, name);
    facts[name] = parsed as MachineFact;
  }
  return facts;
}

/** An object of strings, or fleet's `k=v,k2=v2` string. */
function metadataOf(value: unknown, fail: (why: string, key?: string) => FleetError): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value === 'string') return metadataString(value, fail);
  if (!isRecord(value)) throw fail('expected a mapping of key: value, or "k=v,k2=v2"');
  const metadata: Record<string, string> = {};
  for (const [key, raw] of Object.entries(value)) {
    if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') throw fail('expected a string value', key);
    metadata[key] = String(raw);
  }
  return metadata;
}

function metadataString(text: string, fail: (why: string) => FleetError): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const pair of text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw fail(`"${pair}" is not key=value`);
    metadata[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return metadata;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(file: string, line: number | undefined, path: string, message: string): FleetError {
  const where = line === undefined ? file : `${file}:${line}`;
  return new FleetError(ErrorCodes.MACHINE_INVALID, `${where}: ${path === '' ? '' : `${path}: `}${message}`, { file, ...(line === undefined ? {} : { line }) });
}
