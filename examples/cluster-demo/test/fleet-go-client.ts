/**
 * fleet's own client (fleetctl v1.0: client/http.go over schema/v1-gen.go and
 * Go's net/http), request for request, for the scenarios where it behaves
 * differently from fleetd's fleetctl: on the unix socket, `?alt=json` on every
 * call, `Host: domain-sock`, google-api-go-client's User-Agent, and bodies as
 * Go's encoder writes schema.Unit (struct field order, empty fields left out,
 * a trailing newline). Only options are sent, never a unit's text.
 *
 * Also fleet's view of a unit file: go-systemd's parser (what the client sends
 * as options), its serializer (what `fleetctl cat` prints) and the SHA-1 of
 * that serialization (the hash fleet's listings show and compare).
 */
import { createHash } from 'node:crypto';
import { connect } from 'node:net';

export const GO_USER_AGENT = 'google-api-go-client/0.5';

export interface FleetOption {
  readonly section: string;
  readonly name: string;
  readonly value: string;
}

/** schema.Unit as the server sends it. */
export interface FleetUnit {
  readonly name: string;
  readonly options: readonly FleetOption[];
  readonly desiredState?: string;
  readonly currentState?: string;
  readonly machineID?: string;
}

/** schema.UnitState. */
export interface FleetUnitState {
  readonly name: string;
  readonly hash: string;
  readonly machineID: string;
  readonly systemdLoadState: string;
  readonly systemdActiveState: string;
  readonly systemdSubState: string;
}

export interface FleetMachine {
  readonly id: string;
  readonly primaryIP?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface GoAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
}

/** An error answer as googleapi.CheckResponse reads it: the status and `error.message`. */
export class GoApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`googleapi: Error ${status}: ${messageOf(body)}`);
  }
}

function messageOf(body: string): string {
  try {
    return (JSON.parse(body) as { error?: { message?: string } }).error?.message ?? body;
  } catch {
    return body;
  }
}

export class FleetGoClient {
  /** `prefix` is the API root fleet's client was pointed at: `/fleet/v1`, or `/fleet/v1-alpha` for older clients. */
  constructor(
    readonly socketPath: string,
    readonly prefix = '/fleet/v1',
  ) {}

  /** One request on a fresh connection, as Go's transport writes it; `query` goes after `alt=json`. */
  send(method: 'GET' | 'PUT' | 'DELETE' | 'PATCH', path: string, body?: string, query = ''): Promise<GoAnswer> {
    const head = [
      `${method} ${this.prefix}${path}?alt=json${query} HTTP/1.1`,
      'Host: domain-sock',
      `User-Agent: ${GO_USER_AGENT}`,
      ...(body === undefined ? [] : [`Content-Length: ${Buffer.byteLength(body)}`, 'Content-Type: application/json']),
      'Accept-Encoding: gzip',
    ];
    return exchange(this.socketPath, `${head.join('\r\n')}\r\n\r\n${body ?? ''}`);
  }

  /** client.Units(): every page of GET units. */
  async units(): Promise<FleetUnit[]> {
    return (await this.pages<{ units?: FleetUnit[]; nextPageToken?: string }>('/units')).flatMap((page) => page.units ?? []);
  }

  /** client.Unit(name): a 404 is "no such unit", not an error. */
  async unit(name: string): Promise<FleetUnit | undefined> {
    const answer = await this.send('GET', `/units/${name}`);
    if (answer.status === 404) return undefined;
    return json<FleetUnit>(answer);
  }

  /** client.UnitStates(): every page of GET state. */
  async unitStates(): Promise<FleetUnitState[]> {
    return (await this.pages<{ states?: FleetUnitState[]; nextPageToken?: string }>('/state')).flatMap((page) => page.states ?? []);
  }

  async machines(): Promise<FleetMachine[]> {
    return (await this.pages<{ machines?: FleetMachine[]; nextPageToken?: string }>('/machines')).flatMap((page) => page.machines ?? []);
  }

  /** client.CreateUnit: PUT with name and options only. Resolves with the status. */
  async createUnit(name: string, options: readonly FleetOption[]): Promise<number> {
    return ok(await this.send('PUT', `/units/${name}`, goUnitJson({ name, options })));
  }

  /** client.SetUnitTargetState: PUT with name and desired state only. */
  async setUnitTargetState(name: string, desiredState: string): Promise<number> {
    return ok(await this.send('PUT', `/units/${name}`, goUnitJson({ name, desiredState })));
  }

  async destroyUnit(name: string): Promise<number> {
    return ok(await this.send('DELETE', `/units/${name}`));
  }

  private async pages<T extends { nextPageToken?: string }>(path: string): Promise<T[]> {
    const pages: T[] = [];
    let token: string | undefined;
    do {
      const page = json<T>(await this.send('GET', path, undefined, token === undefined ? '' : `&nextPageToken=${encodeURIComponent(token)}`));
      pages.push(page);
      token = page.nextPageToken === '' ? undefined : page.nextPageToken;
    } while (token !== undefined);
    return pages;
  }
}

function ok(answer: GoAnswer): number {
  if (answer.status >= 300) throw new GoApiError(answer.status, answer.text);
  return answer.status;
}

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the type of the JSON it expects
function json<T>(answer: GoAnswer): T {
  if (answer.status >= 300) throw new GoApiError(answer.status, answer.text);
  return JSON.parse(answer.text) as T;
}

/** Go's json.Encoder on schema.Unit: desiredState, name, options (struct order), empty fields left out. */
export function goUnitJson(unit: { readonly desiredState?: string; readonly name?: string; readonly options?: readonly FleetOption[] }): string {
  const fields: string[] = [];
  if (unit.desiredState) fields.push(`"desiredState":${JSON.stringify(unit.desiredState)}`);
  if (unit.name) fields.push(`"name":${JSON.stringify(unit.name)}`);
  if (unit.options !== undefined && unit.options.length > 0) {
    const options = unit.options.map((option) =>
      (['name', 'section', 'value'] as const)
        .filter((key) => option[key] !== '')
        .map((key) => `"${key}":${JSON.stringify(option[key])}`)
        .join(','),
    );
    fields.push(`"options":[${options.map((option) => `{${option}}`).join(',')}]`);
  }
  return `{${fields.join(',')}}\n`;
}

/**
 * Writes `request` and reads one answer. The connection stays open, as Go's
 * transport keeps it (a half-close can make the server drop a slow answer);
 * the answer ends where its Content-Length or last chunk says.
 */
function exchange(socketPath: string, request: string): Promise<GoAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path: socketPath });
    let raw = Buffer.alloc(0);
    const finish = (error?: Error): void => {
      socket.destroy();
      if (error !== undefined) reject(error);
    };
    socket.on('data', (chunk: Buffer) => {
      raw = Buffer.concat([raw, chunk]);
      const answer = completeAnswer(raw);
      if (answer === undefined) return;
      finish();
      resolve(answer);
    });
    socket.on('error', (error) => finish(error));
    socket.on('close', () => finish(new Error(`connection closed before a whole answer: ${JSON.stringify(raw.toString('utf8').slice(0, 200))}`)));
    socket.write(request);
  });
}

/** The answer once all of it has arrived, else undefined. */
function completeAnswer(raw: Buffer): GoAnswer | undefined {
  const split = raw.indexOf('\r\n\r\n');
  if (split < 0) return undefined;
  const [statusLine = '', ...lines] = raw.subarray(0, split).toString('utf8').split('\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? Number.NaN);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = raw.subarray(split + 4);
  if (headers['transfer-encoding'] === 'chunked') {
    const text = unchunk(body.toString('utf8'));
    return text === undefined ? undefined : { status, headers, text };
  }
  const length = Number(headers['content-length'] ?? 0);
  return body.length < length ? undefined : { status, headers, text: body.subarray(0, length).toString('utf8') };
}

/** The body of a chunked answer, or undefined until its last (empty) chunk arrived. */
function unchunk(body: string): string | undefined {
  let text = '';
  let rest = body;
  for (;;) {
    const end = rest.indexOf('\r\n');
    if (end < 0) return undefined;
    const size = Number.parseInt(rest.slice(0, end), 16);
    if (size === 0) return text;
    if (!(size > 0) || rest.length < end + 2 + size + 2) return undefined;
    text += rest.slice(end + 2, end + 2 + size);
    rest = rest.slice(end + 2 + size + 2);
  }
}

/**
 * go-systemd's unit.Deserialize, as fleet's client turns a file into options:
 * comments and blank lines dropped, names and values trimmed, a line ending in
 * a backslash continued on the next with the backslash and newline kept.
 */
export function fleetOptionsOf(text: string): FleetOption[] {
  const options: FleetOption[] = [];
  let section = '';
  const lines = text.split('\n').map((line) => line.replace(/\r$/, ''));
  for (let index = 0; index < lines.length; index++) {
    const line = (lines[index] ?? '').trimStart();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.startsWith('[')) {
      section = line.slice(1, line.indexOf(']'));
      continue;
    }
    const equals = line.indexOf('=');
    let value = line.slice(equals + 1);
    while (value.endsWith('\\') && index + 1 < lines.length && (lines[index + 1] ?? '').trim() !== '') value += `\n${lines[++index] ?? ''}`;
    options.push({ section, name: line.slice(0, equals).trim(), value: value.trim() });
  }
  return options;
}

/** go-systemd's unit.Serialize: options grouped by section in first-seen order, a blank line between sections. */
export function fleetSerialize(options: readonly FleetOption[]): string {
  const sections = new Map<string, FleetOption[]>();
  for (const option of options) sections.set(option.section, [...(sections.get(option.section) ?? []), option]);
  return [...sections].map(([section, list]) => `[${section}]\n${list.map((option) => `${option.name}=${option.value}\n`).join('')}`).join('\n');
}

/** fleet's unit hash: hex SHA-1 of the serialization. */
export function fleetHash(options: readonly FleetOption[]): string {
  return createHash('sha1').update(fleetSerialize(options)).digest('hex');
}
