import type { IncomingHttpHeaders } from 'node:http';
import { HttpError, ONLY_JSON } from './errors.js';
import type { PlanMachineInput, PlanRequest, PlanUnitInput, WireMachineMetadataOp, WireUnitOption, WireUnitPut } from './wire.js';

/** fleet's validateContentType (api/serialization.go): exactly one Content-Type, application/json. 415 otherwise. */
export function requireJson(headers: IncomingHttpHeaders): void {
  const value = headers['content-type'];
  if (value === undefined) throw new HttpError(415, 'expected 1 Content-Type, got 0');
  if (value.split(';', 1)[0]?.trim().toLowerCase() !== 'application/json') throw new HttpError(415, ONLY_JSON);
}

/** The raw body (kept as text by the server's only content-type parser) as JSON; 400 when it is not. */
export function parseJson(raw: unknown, prefix = ''): unknown {
  const text = typeof raw === 'string' ? raw : '';
  if (text.trim() === '') throw new HttpError(400, `${prefix}EOF`);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(400, `${prefix}${(error as Error).message}`);
  }
}

type Json = Record<string, unknown>;

/** Go's decoder matches field names case-insensitively, and so do fleet's clients' servers. */
function field(object: Json, name: string): unknown {
  if (Object.hasOwn(object, name)) return object[name];
  const lower = name.toLowerCase();
  const key = Object.keys(object).find((candidate) => candidate.toLowerCase() === lower);
  return key === undefined ? undefined : object[key];
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(object: Json, name: string, where: string): string | undefined {
  const value = field(object, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new HttpError(400, `${where}${name} must be a string`);
  return value;
}

/** fleet's Unit entity as a PUT body; unknown fields are ignored, as Go's decoder does. */
export function decodeUnitPut(value: unknown): WireUnitPut {
  const where = 'unable to decode body: ';
  if (value === null) return {};
  if (!isObject(value)) throw new HttpError(400, `${where}the body must be a JSON object (a Unit)`);
  const name = optionalString(value, 'name', where);
  const desiredState = optionalString(value, 'desiredState', where);
  const options = decodeOptions(field(value, 'options'), where);
  const contents = optionalString(value, 'contents', where);
  return {
    ...(name === undefined ? {} : { name }),
    ...(options === undefined ? {} : { options }),
    ...(desiredState === undefined ? {} : { desiredState }),
    ...(contents === undefined ? {} : { contents }),
  };
}

function decodeOptions(value: unknown, where: string): WireUnitOption[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new HttpError(400, `${where}options must be a list of {section, name, value}`);
  return value.map((option, index) => {
    const at = `${where}options[${index}].`;
    if (!isObject(option)) throw new HttpError(400, `${where}options[${index}] must be an object {section, name, value}`);
    // fleet's JSON leaves out empty strings (omitempty), so a missing field is an empty one.
    return {
      section: optionalString(option, 'section', at) ?? '',
      name: optionalString(option, 'name', at) ?? '',
      value: optionalString(option, 'value', at) ?? '',
    };
  });
}

/** fleet's PATCH /machines body: a JSON array of {op, path, value}. */
export function decodeMachineOps(value: unknown): WireMachineMetadataOp[] {
  if (value === null) return [];
  if (!Array.isArray(value)) throw new HttpError(400, 'the body must be a JSON array of {op, path, value} operations');
  return value.map((op, index) => {
    const at = `operation ${index}: `;
    if (!isObject(op)) throw new HttpError(400, `${at}must be an object {op, path, value}`);
    const patchValue = optionalString(op, 'value', at);
    return { op: optionalString(op, 'op', at) ?? '', path: optionalString(op, 'path', at) ?? '', ...(patchValue === undefined ? {} : { value: patchValue }) };
  });
}

/** POST /fleetd/v1/plan: `{units: [{name, contents?|options?, desiredState?}], machines?: [{id, metadata?}]}`. */
export function decodePlanRequest(value: unknown): PlanRequest {
  if (!isObject(value)) throw new HttpError(400, 'the body must be a JSON object {units, machines?}');
  const units = value['units'];
  if (!Array.isArray(units)) throw new HttpError(400, 'units must be a list of {name, contents or options, desiredState?}');
  const machines = value['machines'];
  if (machines !== undefined && !Array.isArray(machines)) throw new HttpError(400, 'machines must be a list of {id, metadata?}');
  return {
    units: units.map(decodePlanUnit),
    ...(machines === undefined ? {} : { machines: machines.map(decodePlanMachine) }),
  };
}

function decodePlanUnit(unit: unknown, index: number): PlanUnitInput {
  const at = `units[${index}].`;
  if (!isObject(unit)) throw new HttpError(400, `units[${index}] must be an object {name, contents or options, desiredState?}`);
  const name = optionalString(unit, 'name', at);
  if (name === undefined) throw new HttpError(400, `${at}name is required`);
  const contents = optionalString(unit, 'contents', at);
  const desiredState = optionalString(unit, 'desiredState', at);
  const options = decodeOptions(unit['options'], at);
  return {
    name,
    ...(contents === undefined ? {} : { contents }),
    ...(options === undefined ? {} : { options }),
    ...(desiredState === undefined ? {} : { desiredState: desiredState as NonNullable<PlanUnitInput['desiredState']> }),
  };
}

function decodePlanMachine(machine: unknown, index: number): PlanMachineInput {
  const at = `machines[${index}].`;
  if (!isObject(machine)) throw new HttpError(400, `machines[${index}] must be an object {id, metadata?}`);
  const id = optionalString(machine, 'id', at);
  if (id === undefined) throw new HttpError(400, `${at}id is required`);
  const metadata = machine['metadata'];
  if (metadata === undefined) return { id };
  if (!isObject(metadata) || !Object.values(metadata).every((v) => typeof v === 'string')) {
    throw new HttpError(400, `${at}metadata must be an object of string values`);
  }
  return { id, metadata: metadata as Record<string, string> };
}
