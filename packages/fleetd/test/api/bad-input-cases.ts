/**
 * The API bad-input corpus (issue 15): requests an attacker or a broken client
 * sends, each with the answer fleetd must give. The suite in
 * bad-input.test.ts sends every one against a daemon holding units,
 * machines, placements and states, and checks the status, fleet's error body
 * with its reason, that the daemon is still healthy, and that nothing stored
 * changed.
 */

export interface BadInput {
  readonly name: string;
  readonly method: string;
  /** As sent on the wire (already percent-encoded where needed). */
  readonly path: string;
  /** JSON-encoded and sent as application/json. */
  readonly body?: unknown;
  /** Sent as is; wins over `body`. */
  readonly raw?: string;
  readonly headers?: Record<string, string>;
  readonly status: number;
  readonly reason: string;
  /** The exact message; a RegExp where it carries a parser's detail. */
  readonly message: string | RegExp;
  /** The plugin that refused, when one did (fleetd's `plugin` field). */
  readonly plugin?: string;
}

const UNITS = '/fleet/v1/units';
const NEW = `${UNITS}/new.service`;
const JSON_TYPE = { 'content-type': 'application/json' };
const SERVICE_OPTION = { section: 'Service', name: 'ExecStart', value: '/bin/true' };

/** A PUT of a new unit from its file text. */
const putContents = (name: string, status: number, reason: string, message: string | RegExp, contents: string, path = NEW): BadInput => ({
  name,
  method: 'PUT',
  path,
  body: { contents, desiredState: 'launched' },
  status,
  reason,
  message,
});

const rawPut = (
  name: string,
  raw: string,
  status: number,
  reason: string,
  message: string | RegExp,
  headers: Record<string, string> = JSON_TYPE,
): BadInput => ({
  name,
  method: 'PUT',
  path: NEW,
  raw,
  headers,
  status,
  reason,
  message,
});

const patch = (name: string, body: unknown, message: string | RegExp, reason = 'MACHINE_INVALID', status = 400): BadInput => ({
  name,
  method: 'PATCH',
  path: '/fleet/v1/machines',
  body,
  status,
  reason,
  message,
});

const plan = (name: string, body: unknown, reason: string, message: string | RegExp): BadInput => ({
  name,
  method: 'POST',
  path: '/fleetd/v1/plan',
  body,
  status: 400,
  reason,
  message,
});

const token = (resource: string, name: string, query: string, message: string): BadInput => ({
  name: `${resource}: ${name}`,
  method: 'GET',
  path: `/fleet/v1/${resource}?${query}`,
  status: 400,
  reason: 'API_REQUEST_INVALID',
  message,
});

const BAD_JSON: BadInput[] = [
  rawPut('body: not JSON', 'nope', 400, 'API_REQUEST_INVALID', /^unable to decode body: Unexpected token/),
  rawPut('body: truncated object', '{"options": [', 400, 'API_REQUEST_INVALID', /^unable to decode body: /),
  rawPut('body: empty', '', 400, 'API_REQUEST_INVALID', 'unable to decode body: EOF'),
  rawPut('body: whitespace only', ' \n\t ', 400, 'API_REQUEST_INVALID', 'unable to decode body: EOF'),
  rawPut('body: trailing garbage', '{"desiredState":"launched"} x', 400, 'API_REQUEST_INVALID', /^unable to decode body: /),
  rawPut('body: single quotes', "{'desiredState':'launched'}", 400, 'API_REQUEST_INVALID', /^unable to decode body: /),
  rawPut(
    'body: a lone surrogate escape is valid JSON but not a name',
    '{"name":"\\ud800.service"}',
    400,
    'UNIT_INVALID',
    'name in URL "new.service" differs from unit name in request body "\\ud800.service"',
  ),
  rawPut('body: NaN', '{"desiredState": NaN}', 400, 'API_REQUEST_INVALID', /^unable to decode body: /),
  rawPut('body: a JSON array', '[]', 400, 'UNIT_INVALID', 'unable to decode body: the body must be a JSON object (a Unit)'),
  rawPut('body: a JSON string', '"launched"', 400, 'UNIT_INVALID', 'unable to decode body: the body must be a JSON object (a Unit)'),
  rawPut('body: a JSON number', '42', 400, 'UNIT_INVALID', 'unable to decode body: the body must be a JSON object (a Unit)'),
  rawPut('body: true', 'true', 400, 'UNIT_INVALID', 'unable to decode body: the body must be a JSON object (a Unit)'),
  rawPut('body: null (nothing to create)', 'null', 409, 'UNIT_NOT_FOUND', 'unit does not exist and options field empty'),
  rawPut(
    'body: 10,000 nested arrays',
    `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
    400,
    'UNIT_INVALID',
    'unable to decode body: the body must be a JSON object (a Unit)',
  ),
  rawPut(
    'body: __proto__ with options',
    '{"__proto__":{"options":[{"section":"Service","name":"ExecStart","value":"/bin/sh"}]}}',
    409,
    'UNIT_NOT_FOUND',
    'unit does not exist and options field empty',
  ),
  rawPut(
    'body: over the body limit (1 MiB)',
    JSON.stringify({ contents: `[Service]\nExecStart=/bin/true\n#${'x'.repeat(1024 * 1024)}` }),
    413,
    'API_REQUEST_INVALID',
    'request body is larger than 1048576 bytes',
  ),
];

const WRONG_TYPES: BadInput[] = [
  {
    name: 'options: an object',
    method: 'PUT',
    path: NEW,
    body: { options: { section: 'Service' } },
    status: 400,
    reason: 'UNIT_INVALID',
    message: 'unable to decode body: options must be a list of {section, name, value}',
  },
  {
    name: 'options: a string',
    method: 'PUT',
    path: NEW,
    body: { options: '[Service]' },
    status: 400,
    reason: 'UNIT_INVALID',
    message: 'unable to decode body: options must be a list of {section, name, value}',
  },
  {
    name: 'options[0]: a string',
    method: 'PUT',
    path: NEW,
    body: { options: ['ExecStart=/bin/true'] },
    status: 400,
    reason: 'UNIT_INVALID',
    message: 'unable to decode body: options[0] must be an object {section, name, value}',
  },
  {
    name: 'options[0]: null',
    method: 'PUT',
    path: NEW,
    body: { options: [null] },
    status: 400,
    reason: 'UNIT_INVALID',
    message: 'unable to decode body: options[0] must be an object {section, name, value}',
  },
  {
    name: 'options[1].value: a number',
    method: 'PUT',
    path: NEW,
    body: { options: [SERVICE_OPTION, { section: 'Service', name: 'Nice', value: 5 }] },
    status: 400,
    reason: 'UNIT_INVALID',
    message: 'unable to decode body: options[1].value must be a string',
  },
  {
    name: 'options[0].section: an array',
    method: 'PUT',
    path: NEW,
    body: { options: [{ section: ['Service'], name: 'ExecStart', value: '/bin/true' }] },
    status: 400,
    reason: 'UNIT_INVALID',
    message: 'unable to decode body: options[0].section must be a string',
  },
  {
    name: 'desiredState: a number',
    method: 'PUT',
    path: NEW,
    body: { options: [SERVICE_OPTION], desiredState: 3 },
    status: 400,
    reason: 'UNIT_INVALID',
    message: 'unable to decode body: desiredState must be a string',
  },
  {
    name: 'desiredState: true',
    method: 'PUT',
    path: NEW,
    body: { options: [SERVICE_OPTION], desiredState: true },
    status: 400,
    reason: 'UNIT_INVALID',
    message: 'unable to decode body: desiredState must be a string',
  },
  {
    name: 'name: a number',
    method: 'PUT',
    path: NEW,
    body: { name: 7, options: [SERVICE_OPTION] },
    status: 400,
    reason: 'UNIT_INVALID',
    message: 'unable to decode body: name must be a string',
  },
  {
    name: 'contents: an array of lines',
    method: 'PUT',
    path: NEW,
    body: { contents: ['[Service]', 'ExecStart=/bin/true'] },
    status: 400,
    reason: 'UNIT_INVALID',
    message: 'unable to decode body: contents must be a string',
  },
  {
    name: 'contents: an object',
    method: 'PUT',
    path: NEW,
    body: { contents: { Service: { ExecStart: '/bin/true' } } },
    status: 400,
    reason: 'UNIT_INVALID',
    message: 'unable to decode body: contents must be a string',
  },
];

const NAMES: BadInput[] = [
  {
    name: 'name: 256 characters',
    method: 'PUT',
    path: `${UNITS}/${'a'.repeat(248)}.service`,
    body: { options: [SERVICE_OPTION] },
    status: 400,
    reason: 'UNIT_NAME_INVALID',
    message: /^invalid unit name "a{77}\.\.\.": it is 256 characters long, the most is 255$/,
  },
  {
    name: 'name: no type suffix',
    method: 'PUT',
    path: `${UNITS}/plain`,
    body: { options: [SERVICE_OPTION] },
    status: 400,
    reason: 'UNIT_NAME_INVALID',
    message:
      'invalid unit name "plain": it has no type suffix (one of .automount, .busname, .device, .mount, .path, .scope, .service, .slice, .snapshot, .socket, .swap, .target, .timer)',
  },
  {
    name: 'name: unknown type',
    method: 'PUT',
    path: `${UNITS}/a.exe`,
    body: { options: [SERVICE_OPTION] },
    status: 400,
    reason: 'UNIT_NAME_INVALID',
    message: 'invalid unit name "a.exe": unknown unit type \'exe\'',
  },
  {
    name: 'name: only a suffix',
    method: 'PUT',
    path: `${UNITS}/.service`,
    body: { options: [SERVICE_OPTION] },
    status: 400,
    reason: 'UNIT_NAME_INVALID',
    message: 'invalid unit name ".service": the prefix before the type is empty',
  },
  {
    name: 'name: a space (%20)',
    method: 'PUT',
    path: `${UNITS}/a%20b.service`,
    body: { options: [SERVICE_OPTION] },
    status: 400,
    reason: 'UNIT_NAME_INVALID',
    message: 'invalid unit name "a b.service": character \' \' at position 2 is not allowed (only A-Z a-z 0-9 : _ . @ - \\)',
  },
  {
    name: 'name: an encoded slash (%2F)',
    method: 'PUT',
    path: `${UNITS}/..%2F..%2Fetc%2Fpasswd.service`,
    body: { options: [SERVICE_OPTION] },
    status: 400,
    reason: 'UNIT_NAME_INVALID',
    message: 'invalid unit name "../../etc/passwd.service": \'/\' is not allowed (position 3)',
  },
  {
    name: 'name: dot-dot',
    method: 'PUT',
    path: `${UNITS}/...service`,
    body: { options: [SERVICE_OPTION] },
    status: 400,
    reason: 'UNIT_NAME_INVALID',
    message: 'invalid unit name "...service": the prefix \'..\' is only dots',
  },
  {
    name: 'name: a control character (%01)',
    method: 'PUT',
    path: `${UNITS}/a%01.service`,
    body: { options: [SERVICE_OPTION] },
    status: 400,
    reason: 'UNIT_NAME_INVALID',
    message: 'invalid unit name "a\\u0001.service": character U+0001 at position 2 is not allowed (only A-Z a-z 0-9 : _ . @ - \\)',
  },
  {
    name: 'name: a newline (%0A)',
    method: 'PUT',
    path: `${UNITS}/a%0Ab.service`,
    body: { options: [SERVICE_OPTION] },
    status: 400,
    reason: 'UNIT_NAME_INVALID',
    message: 'invalid unit name "a\\nb.service": character U+000A at position 2 is not allowed (only A-Z a-z 0-9 : _ . @ - \\)',
  },
  {
    name: 'name: unicode (ü)',
    method: 'PUT',
    path: `${UNITS}/m%C3%BCll.service`,
    body: { options: [SERVICE_OPTION] },
    status: 400,
    reason: 'UNIT_NAME_INVALID',
    message: 'invalid unit name "müll.service": character \'ü\' at position 2 is not allowed (only A-Z a-z 0-9 : _ . @ - \\)',
  },
  {
    name: 'name: emoji',
    method: 'PUT',
    path: `${UNITS}/%F0%9F%92%A3.service`,
    body: { options: [SERVICE_OPTION] },
    status: 400,
    reason: 'UNIT_NAME_INVALID',
    message: 'invalid unit name "💣.service": character \'💣\' at position 1 is not allowed (only A-Z a-z 0-9 : _ . @ - \\)',
  },
  {
    name: 'name: right-to-left override',
    method: 'PUT',
    path: `${UNITS}/a%E2%80%AEecivres.service`,
    body: { options: [SERVICE_OPTION] },
    status: 400,
    reason: 'UNIT_NAME_INVALID',
    message: 'invalid unit name "a\u202eecivres.service": character \'\u202e\' at position 2 is not allowed (only A-Z a-z 0-9 : _ . @ - \\)',
  },
  {
    name: 'name: body differs from URL',
    method: 'PUT',
    path: NEW,
    body: { name: 'other.service', options: [SERVICE_OPTION] },
    status: 400,
    reason: 'UNIT_INVALID',
    message: 'name in URL "new.service" differs from unit name in request body "other.service"',
  },
  {
    name: 'name: a template launched',
    method: 'PUT',
    path: `${UNITS}/web@.service`,
    body: { options: [SERVICE_OPTION], desiredState: 'launched' },
    status: 400,
    reason: 'UNIT_TEMPLATE_NOT_RUNNABLE',
    message: 'web@.service: a template unit can only be submitted; load or start an instance such as web@1.service',
  },
  {
    name: 'GET a unit that does not exist',
    method: 'GET',
    path: `${UNITS}/ghost.service`,
    status: 404,
    reason: 'UNIT_NOT_FOUND',
    message: 'unit does not exist',
  },
  {
    name: 'DELETE a unit that does not exist',
    method: 'DELETE',
    path: `${UNITS}/ghost.service`,
    status: 404,
    reason: 'UNIT_NOT_FOUND',
    message: 'unit does not exist',
  },
  {
    name: 'GET state of a bad name',
    method: 'GET',
    path: '/fleet/v1/state/%F0%9F%92%A3',
    status: 404,
    reason: 'UNIT_NOT_FOUND',
    message: 'unit state does not exist',
  },
  {
    name: 'explanation of a unit that does not exist',
    method: 'GET',
    path: '/fleetd/v1/units/ghost.service/explanation',
    status: 404,
    reason: 'UNIT_NOT_FOUND',
    message: 'unit ghost.service is not submitted',
  },
];

const STATES: BadInput[] = [
  ...['running', 'LAUNCHED', ' launched', 'launched\n', 'lаunched' /* Cyrillic а */, 'null', 'destroyed'].map((desiredState) => ({
    name: `desiredState: ${JSON.stringify(desiredState)}`,
    method: 'PUT',
    path: NEW,
    body: { options: [SERVICE_OPTION], desiredState },
    status: 400,
    reason: 'UNIT_STATE_INVALID',
    message: `unit new.service: desired state: ${JSON.stringify(desiredState)} is not one of inactive, loaded, launched`,
  })),
  {
    name: 'desiredState only, for a unit that does not exist',
    method: 'PUT',
    path: NEW,
    body: { desiredState: 'launched' },
    status: 409,
    reason: 'UNIT_NOT_FOUND',
    message: 'unit does not exist and options field empty',
  },
  {
    name: 'an existing unit with neither state nor new options',
    method: 'PUT',
    path: `${UNITS}/a.service`,
    body: {},
    status: 409,
    reason: 'UNIT_EXISTS',
    message: 'must provide DesiredState to update existing unit',
  },
  {
    name: 'an existing unit, same options, no state',
    method: 'PUT',
    path: `${UNITS}/b.service`,
    body: { contents: '[Service]\nExecStart=/bin/sleep infinity\n' },
    status: 409,
    reason: 'UNIT_EXISTS',
    message: 'must provide DesiredState to update existing unit',
  },
];

const OPTIONS: BadInput[] = [
  putContents(
    'contents: a line without =',
    400,
    'UNIT_FILE_SYNTAX',
    "new.service:2:1: expected 'Key=Value', a [Section] header or a comment",
    '[Service]\nExecStart\n',
  ),
  putContents(
    'contents: an option before any section',
    400,
    'UNIT_FILE_SYNTAX',
    "new.service:1:1: option 'ExecStart' appears before any [Section] header",
    'ExecStart=/bin/true\n',
  ),
  putContents(
    'contents: an unclosed section header',
    400,
    'UNIT_FILE_SYNTAX',
    "new.service:1:9: section header '[Service' is missing ']'",
    '[Service\nExecStart=/bin/true\n',
  ),
  putContents('contents: a NUL byte', 400, 'UNIT_FILE_SYNTAX', 'new.service:2:20: NUL byte in unit file', '[Service]\nExecStart=/bin/true\u0000\n'),
  {
    ...putContents(
      'contents: MachineID with Global',
      400,
      'UNIT_INVALID',
      'unit new.service: MachineID cannot be combined with Global',
      '[Service]\nExecStart=/bin/true\n[X-Fleet]\nMachineID=m1\nGlobal=true\n',
    ),
    plugin: 'validation',
  },
  {
    ...putContents(
      'contents: an unknown [X-Fleet] option',
      400,
      'UNIT_INVALID',
      'unit new.service: unrecognized [X-Fleet] option Frobnicate',
      '[Service]\nExecStart=/bin/true\n[X-Fleet]\nFrobnicate=yes\n',
    ),
    plugin: 'validation',
  },
  {
    ...putContents(
      'contents: MachineOf itself',
      400,
      'UNIT_INVALID',
      'unit new.service: MachineOf names the unit itself',
      '[Service]\nExecStart=/bin/true\n[X-Fleet]\nMachineOf=new.service\n',
    ),
    plugin: 'machine-of',
  },
  {
    ...putContents(
      'contents: a bad metadata requirement',
      400,
      'UNIT_INVALID',
      'unit new.service: MachineMetadata "novalue": no operator (use =, !=, >=, >, <= or <)',
      '[Service]\nExecStart=/bin/true\n[X-Fleet]\nMachineMetadata=novalue\n',
    ),
    plugin: 'metadata',
  },
  putContents(
    'contents: 2,001 options',
    400,
    'UNIT_FILE_TOO_LARGE',
    'unit new.service: 2001 options, at most 2000',
    `[Service]\n${'Environment=A=1\n'.repeat(2001)}`,
  ),
  {
    name: 'options and contents describe different files',
    method: 'PUT',
    path: NEW,
    body: { options: [SERVICE_OPTION], contents: '[Service]\nExecStart=/bin/false\n' },
    status: 400,
    reason: 'UNIT_INVALID',
    message: 'unit new.service: options and contents describe different unit files; send one of them',
  },
  {
    name: 'options: an empty section name',
    method: 'PUT',
    path: NEW,
    body: { options: [{ section: '', name: 'ExecStart', value: '/bin/true' }] },
    status: 400,
    reason: 'UNIT_FILE_SYNTAX',
    message: 'unit option #1: [] ExecStart: empty section name',
  },
  {
    name: 'options: an empty option name',
    method: 'PUT',
    path: NEW,
    body: { options: [{ section: 'Service', name: '', value: '/bin/true' }] },
    status: 400,
    reason: 'UNIT_FILE_SYNTAX',
    message: 'unit option #1: [Service] : empty option name',
  },
  {
    name: 'options: a newline in a value smuggling another option',
    method: 'PUT',
    path: NEW,
    body: { options: [{ section: 'Service', name: 'ExecStart', value: '/bin/true\nExecStartPre=/bin/sh -c id' }] },
    status: 400,
    reason: 'UNIT_FILE_SYNTAX',
    message: 'unit option #1: [Service] ExecStart: value contains a line break, which a unit file cannot represent',
  },
  {
    name: 'options: a section name with ]',
    method: 'PUT',
    path: NEW,
    body: { options: [{ section: 'Service]\n[Unit', name: 'ExecStart', value: '/bin/true' }] },
    status: 400,
    reason: 'UNIT_FILE_SYNTAX',
    message: "unit option #1: [Service]\n[Unit] ExecStart: character ']' is not allowed in section name",
  },
  {
    name: 'options: an option name with =',
    method: 'PUT',
    path: NEW,
    body: { options: [{ section: 'Service', name: 'Exec=Start', value: '/bin/true' }] },
    status: 400,
    reason: 'UNIT_FILE_SYNTAX',
    message: "unit option #1: [Service] Exec=Start: character '=' is not allowed in option name 'Exec=Start' (use A-Z a-z 0-9 - _)",
  },
];

const PAGE_TOKENS: BadInput[] = ['units', 'state', 'machines'].flatMap((resource) => [
  token(resource, 'two tokens', 'nextPageToken=ZAABAA==&nextPageToken=ZAACAA==', 'too many values for page token'),
  token(resource, 'another page size', 'nextPageToken=AgABAA==', 'token limit must be 100'),
  token(resource, 'page zero', 'nextPageToken=ZAAAAA==', 'token page must be greater than zero'),
  token(resource, 'standard base64', 'nextPageToken=ZA%2BBAA==', 'illegal base64 data at input byte 2'),
  token(resource, 'no padding', 'nextPageToken=ZAABAA', 'illegal base64 data at input byte 4'),
  token(resource, 'empty', 'nextPageToken=', 'EOF'),
  token(resource, 'too short', 'nextPageToken=ZAA=', 'unexpected EOF'),
  token(resource, 'a control character', 'nextPageToken=%01%02', 'illegal base64 data at input byte 0'),
  token(resource, 'a long token', `nextPageToken=${'A'.repeat(4000)}`, 'token limit must be 100'),
]);

const METHODS: BadInput[] = [
  {
    name: 'POST /units',
    method: 'POST',
    path: UNITS,
    body: {},
    status: 405,
    reason: 'API_ROUTE_NOT_FOUND',
    message: 'only GET supported against this resource',
  },
  {
    name: 'PATCH a unit',
    method: 'PATCH',
    path: `${UNITS}/a.service`,
    body: {},
    status: 405,
    reason: 'API_ROUTE_NOT_FOUND',
    message: 'only GET, PUT and DELETE supported against this resource',
  },
  { name: 'OPTIONS on units', method: 'OPTIONS', path: UNITS, status: 405, reason: 'API_ROUTE_NOT_FOUND', message: 'only GET supported against this resource' },
  {
    name: 'DELETE /machines',
    method: 'DELETE',
    path: '/fleet/v1/machines',
    status: 405,
    reason: 'API_ROUTE_NOT_FOUND',
    message: 'only GET and PATCH supported against this resource',
  },
  {
    name: 'PUT /state',
    method: 'PUT',
    path: '/fleet/v1/state',
    body: {},
    status: 405,
    reason: 'API_ROUTE_NOT_FOUND',
    message: 'only GET supported against this resource',
  },
  {
    name: 'DELETE /health',
    method: 'DELETE',
    path: '/health',
    status: 405,
    reason: 'API_ROUTE_NOT_FOUND',
    message: 'only GET supported against this resource',
  },
  {
    name: 'POST /metrics',
    method: 'POST',
    path: '/metrics',
    body: {},
    status: 405,
    reason: 'API_ROUTE_NOT_FOUND',
    message: 'only GET supported against this resource',
  },
  {
    name: 'PUT /fleetd/v1/plan',
    method: 'PUT',
    path: '/fleetd/v1/plan',
    body: {},
    status: 405,
    reason: 'API_ROUTE_NOT_FOUND',
    message: 'only POST supported against this resource',
  },
  {
    name: 'an unknown method (PROPFIND)',
    method: 'PROPFIND',
    path: UNITS,
    status: 404,
    reason: 'API_ROUTE_NOT_FOUND',
    message: 'no resource at /fleet/v1/units',
  },
  {
    name: 'an unknown route',
    method: 'GET',
    path: '/fleet/v1/secrets',
    status: 404,
    reason: 'API_ROUTE_NOT_FOUND',
    message: 'no resource at /fleet/v1/secrets',
  },
  {
    name: 'path traversal',
    method: 'GET',
    path: '/fleet/v1/../../etc/passwd',
    status: 404,
    reason: 'API_ROUTE_NOT_FOUND',
    message: 'no resource at /fleet/v1/../../etc/passwd',
  },
  { name: 'a doubled slash', method: 'GET', path: '/fleet//v1/units', status: 404, reason: 'API_ROUTE_NOT_FOUND', message: 'no resource at /fleet//v1/units' },
  {
    name: 'a unit sub-path',
    method: 'GET',
    path: `${UNITS}/a.service/extra`,
    status: 404,
    reason: 'API_ROUTE_NOT_FOUND',
    message: 'no resource at /fleet/v1/units/a.service/extra',
  },
];

const CONTENT_TYPES: BadInput[] = [
  rawPut('content type: none', '{"options":[]}', 415, 'API_REQUEST_INVALID', 'expected 1 Content-Type, got 0', {}),
  rawPut('content type: text/plain', '{"options":[]}', 415, 'API_REQUEST_INVALID', 'only acceptable Content-Type is application/json', {
    'content-type': 'text/plain',
  }),
  rawPut('content type: application/jsonx', '{"options":[]}', 415, 'API_REQUEST_INVALID', 'only acceptable Content-Type is application/json', {
    'content-type': 'application/jsonx',
  }),
  rawPut('content type: form', 'options=', 415, 'API_REQUEST_INVALID', 'only acceptable Content-Type is application/json', {
    'content-type': 'application/x-www-form-urlencoded',
  }),
  rawPut('content type: multipart', '--x--', 415, 'API_REQUEST_INVALID', 'only acceptable Content-Type is application/json', {
    'content-type': 'multipart/form-data; boundary=x',
  }),
  {
    name: 'plan: content type text/plain',
    method: 'POST',
    path: '/fleetd/v1/plan',
    raw: '{"units":[]}',
    headers: { 'content-type': 'text/plain' },
    status: 415,
    reason: 'API_REQUEST_INVALID',
    message: 'only acceptable Content-Type is application/json',
  },
];

const METADATA: BadInput[] = [
  patch('patch: not a list', { op: 'add', path: '/m1/metadata/a', value: 'b' }, 'the body must be a JSON array of {op, path, value} operations'),
  patch('patch: an unknown op', [{ op: 'copy', path: '/m1/metadata/a', value: 'b' }], 'invalid op: expect add, remove, or replace'),
  patch('patch: op in capitals', [{ op: 'ADD', path: '/m1/metadata/a', value: 'b' }], 'invalid op: expect add, remove, or replace'),
  patch('patch: no op', [{ path: '/m1/metadata/a', value: 'b' }], 'invalid op: expect add, remove, or replace'),
  patch('patch: a path outside metadata', [{ op: 'add', path: '/m1/publicIP', value: '1.2.3.4' }], 'machine metadata path invalid'),
  patch('patch: a path with traversal', [{ op: 'add', path: '/m1/metadata/../../x', value: 'b' }], 'machine metadata path invalid'),
  patch('patch: an empty key', [{ op: 'add', path: '/m1/metadata/', value: 'b' }], 'machine metadata path invalid'),
  patch('patch: a key with a space', [{ op: 'add', path: '/m1/metadata/a b', value: 'b' }], 'machine metadata path invalid'),
  patch('patch: add without value', [{ op: 'add', path: '/m1/metadata/a' }], 'invalid value: add and replace require a value'),
  patch('patch: replace with an empty value', [{ op: 'replace', path: '/m1/metadata/a', value: '' }], 'invalid value: add and replace require a value'),
  patch('patch: a number value', [{ op: 'add', path: '/m1/metadata/a', value: 5 }], 'operation 0: value must be a string'),
  patch('patch: an op that is a string', ['add'], 'operation 0: must be an object {op, path, value}'),
  patch(
    'patch: a bad machine ID',
    [{ op: 'add', path: '/m%20x/metadata/a', value: 'b' }],
    'machine ID "m%20x" is invalid: use 1-128 characters of [A-Za-z0-9._-], starting with a letter or digit',
  ),
  patch(
    'patch: a good op then a bad one (none applied)',
    [
      { op: 'add', path: '/m1/metadata/fresh', value: 'b' },
      { op: 'move', path: '/m1/metadata/a', value: 'b' },
    ],
    'invalid op: expect add, remove, or replace',
  ),
  patch(
    'patch: more operations than one transaction holds',
    Array.from({ length: 129 }, (_, index) => ({ op: 'add', path: `/m1/metadata/k${index}`, value: 'v' })),
    /129 operations in one PATCH, at most 128/,
    'MACHINE_PATCH_TOO_LARGE',
  ),
  {
    name: 'patch: not JSON',
    method: 'PATCH',
    path: '/fleet/v1/machines',
    raw: '[{"op":',
    headers: JSON_TYPE,
    status: 400,
    reason: 'API_REQUEST_INVALID',
    message: /^Unexpected end of JSON input|^Expected/,
  },
];

const PLANS: BadInput[] = [
  plan('plan: not an object', [], 'API_REQUEST_INVALID', 'the body must be a JSON object {units, machines?}'),
  plan('plan: units not a list', { units: 'a.service' }, 'API_REQUEST_INVALID', 'units must be a list of {name, contents or options, desiredState?}'),
  plan('plan: machines not a list', { units: [], machines: {} }, 'API_REQUEST_INVALID', 'machines must be a list of {id, metadata?}'),
  plan('plan: a unit without name', { units: [{ contents: '[Service]\nExecStart=/bin/true\n' }] }, 'UNIT_INVALID', 'units[0].name is required'),
  plan('plan: a unit that is a number', { units: [1] }, 'UNIT_INVALID', 'units[0] must be an object {name, contents or options, desiredState?}'),
  plan('plan: a machine without id', { units: [], machines: [{ metadata: {} }] }, 'MACHINE_INVALID', 'machines[0].id is required'),
  plan(
    'plan: metadata with a number',
    { units: [], machines: [{ id: 'x', metadata: { a: 1 } }] },
    'MACHINE_INVALID',
    'machines[0].metadata must be an object of string values',
  ),
  plan(
    'plan: a machine fact that is not a size',
    { units: [], machines: [{ id: 'x', facts: { memory: { type: 'bytes', value: 'lots' } } }] },
    'MACHINE_INVALID',
    'machines[0].facts.memory: "lots" is not a byte size (512M, 8G, 1.5GiB)',
  ),
  plan(
    'plan: machine facts that are a list',
    { units: [], machines: [{ id: 'x', facts: ['cpu'] }] },
    'MACHINE_INVALID',
    'machines[0].facts must be an object of fact name: { type, value }',
  ),
  plan(
    'plan: a bad unit file',
    { units: [{ name: 'p.service', contents: '[Service\n' }] },
    'UNIT_FILE_SYNTAX',
    "p.service:1:9: section header '[Service' is missing ']'",
  ),
  plan(
    'plan: a bad unit name',
    { units: [{ name: '../p', contents: '[Service]\nExecStart=/bin/true\n' }] },
    'UNIT_NAME_INVALID',
    'invalid unit name "../p": unknown unit type \'/p\'',
  ),
  // Regression: 2,000 unschedulable units on 20,000 simulated machines held the daemon's event loop for 47 s and took 2.8 GB.
  plan(
    'regression: a plan asking for more than a million unit-machine decisions is refused before it runs',
    {
      units: Array.from({ length: 1001 }, (_, index) => ({ name: `p${index}.service`, contents: '[Service]\nExecStart=/bin/true\n' })),
      machines: Array.from({ length: 1000 }, (_, index) => ({ id: `sim${index}` })),
    },
    'PLAN_TOO_LARGE',
    'plan of 1001 units on 1000 machines asks for 1001000 unit-machine decisions, at most 1000000; plan fewer units at a time',
  ),
];

export const BAD_INPUTS: readonly BadInput[] = [
  ...BAD_JSON,
  ...WRONG_TYPES,
  ...NAMES,
  ...STATES,
  ...OPTIONS,
  ...PAGE_TOKENS,
  ...METHODS,
  ...CONTENT_TYPES,
  ...METADATA,
  ...PLANS,
];
