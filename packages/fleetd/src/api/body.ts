import type { IncomingHttpHeaders } from 'node:http';
import { ErrorCodes, factFromInput, factNameProblem } from '@fleetd/core';
import type { ErrorCode, MachineFact, MachineFacts } from '@fleetd/core';
import { HTTP_REASONS, HttpError, ONLY_JSON } from './errors.js';
import type { PlanMachineInput, PlanRequest, PlanUnitInput, WireMachineMetadataOp, WireUnitOption, WireUnitPut } from './wire.js';

/** fleet's validateContentType (api/serialization.go): exactly one Content-Type, application/json. 415 otherwise. */
export function requireJson(headers: IncomingHttpHeaders): void {
  const value = headers['content-type'];
  if (value === undefined) throw new HttpError(415, 'expected 1 Content-Type, got 0', HTTP_REASONS.requestInvalid);
  if (value.split(';', 1)[0]?.trim().toLowerCase() !== 'application/json') throw new HttpError(415, ONLY_JSON, HTTP_REASONS.requestInvalid);
}

/** The raw body (kept as text by the server's only content-type parser) as JSON; 400 when it is not. */
export function parseJson(raw: unknown, prefix = ''): unknown {
  const text = typeof raw === 'string' ? raw : '';
  if (text.trim() === '') throw new HttpError(400, `${prefix}EOF`, HTTP_REASONS.requestInvalid);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(400, `${prefix}${(error as Error).message}`, HTTP_REASONS.requestInvalid);
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

/** A 400 about what a body describes: a unit (UNIT_INVALID), a machine (MACHINE_INVALID), or the request itself. */
const badBody = (message: string, reason: ErrorCode): HttpError => new HttpError(400, message, reason);

function optionalString(object: Json, name: string, where: string, reason: ErrorCode): string | undefined {
  const value = field(object, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badBody(`${where}${name} must be a string`, reason);
  return value;
}

/** fleet's Unit entity as a PUT body; unknown fields are ignored, as Go's decoder does. */
export function decodeUnitPut(value: unknown): WireUnitPut {
  const where = 'unable to decode body: ';
  const reason = ErrorCodes.UNIT_INVALID;
  if (value === null) return {};
  if (!isObject(value)) throw badBody(`${where}the body must be a JSON object (a Unit)`, reason);
  const name = optionalString(value, 'name', where, reason);
  const desiredState = optionalString(value, 'desiredState', where, reason);
  const options = decodeOptions(field(value, 'options'), where);
  const contents = optionalString(value, 'contents', where, reason);
  return {
    ...(name === undefined ? {} : { name }),
    ...(options === undefined ? {} : { options }),
    ...(desiredState === undefined ? {} : { desiredState }),
    ...(contents === undefined ? {} : { contents }),
  };
}

function decodeOptions(value: unknown, where: string): WireUnitOption[] | undefined {
  const reason = ErrorCodes.UNIT_INVALID;
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw badBody(`${where}options must be a list of {section, name, value}`, reason);
  return value.map((option, index) => {
    const at = `${where}options[${index}].`;
    if (!isObject(option)) throw badBody(`${where}options[${index}] must be an object {section, name, value}`, reason);
    // fleet's JSON leaves out empty strings (omitempty), so a missing field is an empty one.
    return {
      section: optionalString(option, 'section', at, reason) ?? '',
      name: optionalString(option, 'name', at, reason) ?? '',
      value: optionalString(option, 'value', at, reason) ?? '',
    };
  });
}

/** fleet's PATCH /machines body: a JSON array of {op, path, value}. */
export function decodeMachineOps(value: unknown): WireMachineMetadataOp[] {
  // As the service's own checks of the operations: MACHINE_INVALID.
  const reason = ErrorCodes.MACHINE_INVALID;
  if (value === null) return [];
  if (!Array.isArray(value)) throw badBody('the body must be a JSON array of {op, path, value} operations', reason);
  return value.map((op, index) => {
    const at = `operation ${index}: `;
    if (!isObject(op)) throw badBody(`${at}must be an object {op, path, value}`, reason);
    const patchValue = metadataValue(op, at, reason);
    return {
      op: optionalString(op, 'op', at, reason) ?? '',
      path: optionalString(op, 'path', at, reason) ?? '',
      ...(patchValue === undefined ? {} : { value: patchValue }),
    };
  });
}

/**
 * An operation's value: fleetd's plain string, or fleet's own wire form `{"value": "..."}`
 * (api/machines.go decodes `Value struct { Value string }`, so fleet's clients nest it).
 */
function metadataValue(op: Json, at: string, reason: ErrorCode): string | undefined {
  const value = field(op, 'value');
  if (!isObject(value)) return optionalString(op, 'value', at, reason);
  const nested = optionalString(value, 'value', `${at}value.`, reason);
  // fleet's decoder leaves a missing inner value empty, which its checks then refuse for add and replace.
  return nested ?? '';
}

/** POST /fleetd/v1/plan: `{units: [{name, contents?|options?, desiredState?}], machines?: [{id, metadata?}]}`. */
export function decodePlanRequest(value: unknown): PlanRequest {
  const reason = HTTP_REASONS.requestInvalid;
  if (!isObject(value)) throw badBody('the body must be a JSON object {units, machines?}', reason);
  const units = value['units'];
  if (!Array.isArray(units)) throw badBody('units must be a list of {name, contents or options, desiredState?}', reason);
  const machines = value['machines'];
  if (machines !== undefined && !Array.isArray(machines)) throw badBody('machines must be a list of {id, metadata?}', reason);
  return {
    units: units.map(decodePlanUnit),
    ...(machines === undefined ? {} : { machines: machines.map(decodePlanMachine) }),
  };
}

function decodePlanUnit(unit: unknown, index: number): PlanUnitInput {
  const at = `units[${index}].`;
  const reason = ErrorCodes.UNIT_INVALID;
  if (!isObject(unit)) throw badBody(`units[${index}] must be an object {name, contents or options, desiredState?}`, reason);
  const name = optionalString(unit, 'name', at, reason);
  if (name === undefined) throw badBody(`${at}name is required`, reason);
  const contents = optionalString(unit, 'contents', at, reason);
  const desiredState = optionalString(unit, 'desiredState', at, reason);
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
  const reason = ErrorCodes.MACHINE_INVALID;
  if (!isObject(machine)) throw badBody(`machines[${index}] must be an object {id, metadata?, facts?}`, reason);
  const id = optionalString(machine, 'id', at, reason);
  if (id === undefined) throw badBody(`${at}id is required`, reason);
  const metadata = machine['metadata'];
  if (metadata !== undefined && (!isObject(metadata) || !Object.values(metadata).every((v) => typeof v === 'string'))) {
    throw badBody(`${at}metadata must be an object of string values`, reason);
  }
  const facts = decodePlanFacts(machine['facts'], at);
  return {
    id,
    ...(metadata === undefined ? {} : { metadata: metadata as Record<string, string> }),
    ...(facts === undefined ? {} : { facts }),
  };
}

/** Typed facts (`{ type, value }`) or their short forms (`4`, `"8G"`), as cluster files write them. */
function decodePlanFacts(facts: unknown, at: string): MachineFacts | undefined {
  if (facts === undefined) return undefined;
  if (!isObject(facts)) throw badBody(`${at}facts must be an object of fact name: { type, value }`, ErrorCodes.MACHINE_INVALID);
  const typed: Record<string, MachineFact> = {};
  for (const [name, input] of Object.entries(facts)) {
    const value = factFromInput(input);
    const problem = factNameProblem(name) ?? (typeof value === 'string' ? value : undefined);
    if (problem !== undefined) throw badBody(`${at}facts.${name}: ${problem}`, ErrorCodes.MACHINE_INVALID);
    typed[name] = value as MachineFact;
  }
  return typed;
}
