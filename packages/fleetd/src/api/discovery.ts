/**
 * The discovery document fleet served at /fleet/v1/discovery (Google API
 * discovery format, schema/v1.json in fleet): clients generate bindings from
 * it. `rootUrl` is deliberately unusable; clients set their own endpoint.
 */
const string = { type: 'string' } as const;
const states = { type: 'string', enum: ['inactive', 'loaded', 'launched'] } as const;
const query = { type: 'string', location: 'query' } as const;
const unitNameParameter = { unitName: { type: 'string', location: 'path', required: true } } as const;

function arrayOf(ref: string) {
  return { type: 'array', items: { $ref: ref } } as const;
}

function schema(id: string, properties: Record<string, unknown>) {
  return { id, type: 'object', properties };
}

function method(id: string, description: string, httpMethod: string, path: string, extra: Record<string, unknown> = {}) {
  return { id, description, httpMethod, path, ...extra };
}

const perUnit = { parameters: unitNameParameter, parameterOrder: ['unitName'] };

export const FLEET_DISCOVERY = Object.freeze({
  kind: 'discovery#restDescription',
  discoveryVersion: 'v1',
  id: 'fleet:v1',
  name: 'schema',
  version: 'v1',
  title: 'fleet API',
  description: '',
  documentationLink: 'http://github.com/coreos/fleet',
  protocol: 'rest',
  icons: { x16: '', x32: '' },
  labels: [],
  baseUrl: '$ENDPOINT/fleet/v1/',
  basePath: '/fleet/v1/',
  rootUrl: '$ENDPOINT/',
  servicePath: 'fleet/v1/',
  batchPath: 'batch',
  parameters: {},
  auth: {},
  schemas: {
    Machine: schema('Machine', { id: string, primaryIP: string, metadata: { type: 'object', properties: {}, additionalProperties: string } }),
    MachinePage: schema('MachinePage', { machines: arrayOf('Machine'), nextPageToken: string }),
    UnitOption: schema('UnitOption', { section: string, name: string, value: string }),
    Unit: schema('Unit', {
      name: string,
      options: arrayOf('UnitOption'),
      desiredState: states,
      currentState: states,
      machineID: { type: 'string', required: true },
    }),
    UnitPage: schema('UnitPage', { units: arrayOf('Unit'), nextPageToken: string }),
    UnitState: schema('UnitState', {
      name: string,
      hash: string,
      machineID: string,
      systemdLoadState: string,
      systemdActiveState: string,
      systemdSubState: string,
    }),
    UnitStatePage: schema('UnitStatePage', { states: arrayOf('UnitState'), nextPageToken: string }),
  },
  resources: {
    Machines: {
      methods: {
        List: method('fleet.Machine.List', 'Retrieve a page of Machine objects.', 'GET', 'machines', {
          parameters: { nextPageToken: query },
          response: { $ref: 'MachinePage' },
        }),
      },
    },
    Units: {
      methods: {
        List: method('fleet.Unit.List', 'Retrieve a page of Unit objects.', 'GET', 'units', {
          parameters: { nextPageToken: query },
          response: { $ref: 'UnitPage' },
        }),
        Get: method('fleet.Unit.Get', 'Retrieve a single Unit object.', 'GET', 'units/{unitName}', { ...perUnit, response: { $ref: 'Unit' } }),
        Delete: method('fleet.Unit.Delete', 'Delete the referenced Unit object.', 'DELETE', 'units/{unitName}', perUnit),
        Set: method('fleet.Unit.Set', 'Create or update a Unit.', 'PUT', 'units/{unitName}', { ...perUnit, request: { $ref: 'Unit' } }),
      },
    },
    UnitState: {
      methods: {
        Get: method('fleet.UnitState.Get', 'Retrieve a page of a single UnitState object.', 'GET', 'state/{unitName}', {
          ...perUnit,
          response: { $ref: 'UnitState' },
        }),
        List: method('fleet.UnitState.List', 'Retrieve a page of UnitState objects.', 'GET', 'state', {
          parameters: { nextPageToken: query, unitName: query, machineID: query },
          response: { $ref: 'UnitStatePage' },
        }),
      },
    },
  },
});
