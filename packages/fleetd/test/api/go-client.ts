/**
 * Requests byte for byte as fleet's Go client (fleetctl v1.0, client/http.go
 * over schema/v1-gen.go and Go's net/http) sends them on the unix socket:
 * `?alt=json` on every call, `Host: domain-sock`, google-api-go-client's
 * User-Agent, and bodies as Go's encoder writes the generated structs: fields
 * in struct order, empty ones left out (omitempty), a trailing newline.
 */
import { sendRaw } from './harness.js';

export const GO_CLIENT_USER_AGENT = 'google-api-go-client/0.5';

export interface GoUnitOption {
  readonly section: string;
  readonly name: string;
  readonly value: string;
}

/** schema.Unit as fleet's client fills it: CreateUnit sends name and options, SetUnitTargetState name and desiredState. */
export interface GoUnit {
  readonly desiredState?: string;
  readonly name?: string;
  readonly options?: readonly GoUnitOption[];
}

/** Go's json.Encoder output for schema.Unit: struct order (currentState, desiredState, machineID, name, options), omitempty. */
export function goUnitJson(unit: GoUnit): string {
  const fields: string[] = [];
  if (unit.desiredState) fields.push(`"desiredState":${JSON.stringify(unit.desiredState)}`);
  if (unit.name) fields.push(`"name":${JSON.stringify(unit.name)}`);
  if (unit.options !== undefined && unit.options.length > 0) fields.push(`"options":[${unit.options.map(goOptionJson).join(',')}]`);
  return `{${fields.join(',')}}\n`;
}

/** schema.UnitOption: name, section, value, each left out when empty. */
function goOptionJson(option: GoUnitOption): string {
  const fields = (['name', 'section', 'value'] as const).filter((key) => option[key] !== '').map((key) => `"${key}":${JSON.stringify(option[key])}`);
  return `{${fields.join(',')}}`;
}

export interface GoAnswer {
  readonly status: number;
  readonly json: unknown;
}

/** One call of fleet's client on a fresh connection; `path` is below the socket root, e.g. `/fleet/v1/units/a.service`. */
export async function goClientCall(socketPath: string, method: 'GET' | 'PUT' | 'DELETE', path: string, body?: string): Promise<GoAnswer> {
  const head = [
    `${method} ${path}?alt=json HTTP/1.1`,
    'Host: domain-sock',
    `User-Agent: ${GO_CLIENT_USER_AGENT}`,
    ...(body === undefined ? [] : [`Content-Length: ${Buffer.byteLength(body)}`, 'Content-Type: application/json']),
    'Accept-Encoding: gzip',
    // Go keeps the connection open; a half-close instead would let the server drop a slow answer
    // (a PUT lowering a running unit answers once it stopped). The server closes after answering.
    'Connection: close',
  ];
  const answer = await sendRaw(socketPath, `${head.join('\r\n')}\r\n\r\n${body ?? ''}`);
  const [statusHead = '', text = ''] = answer.split('\r\n\r\n', 2);
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusHead)?.[1] ?? 0);
  return { status, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

/** client.CreateUnit: PUT with name and options, no desired state. */
export function goCreateUnit(socketPath: string, name: string, options: readonly GoUnitOption[]): Promise<GoAnswer> {
  return goClientCall(socketPath, 'PUT', `/fleet/v1/units/${name}`, goUnitJson({ name, options }));
}

/** client.SetUnitTargetState: PUT with name and desired state only. */
export function goSetUnitTargetState(socketPath: string, name: string, desiredState: string): Promise<GoAnswer> {
  return goClientCall(socketPath, 'PUT', `/fleet/v1/units/${name}`, goUnitJson({ name, desiredState }));
}
