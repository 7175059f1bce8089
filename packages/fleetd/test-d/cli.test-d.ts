import { expectAssignable, expectError, expectType } from 'tsd';
import { FleetError } from '@fleetd/core';
import type { DesiredState } from '@fleetd/core';
import { ApiError, FleetClient, main, parseEndpoint, type CliIO, type Endpoint } from '../dist/cli/index.js';
import type { PlanResult, WireExplanation, WireMachine, WireUnit, WireUnitState } from '../dist/api/wire.js';

// main resolves with the exit code; IO is injectable.
const io: CliIO = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: '/' };
expectType<Promise<number>>(main(['list-units'], io));
expectType<Promise<number>>(main(['list-units']));
expectError(main('list-units'));
expectError<CliIO>({ stdout: process.stdout, stderr: process.stderr, env: {} });

const endpoint = parseEndpoint('/run/fleetd/fleetd.sock');
expectType<Endpoint>(endpoint);
if (endpoint.kind === 'unix') expectType<string>(endpoint.socketPath);
else expectType<URL>(endpoint.url);

const client = new FleetClient({ endpoint, timeoutMs: 3000 });
expectType<Promise<WireUnit[]>>(client.units());
expectType<Promise<WireUnit | undefined>>(client.unit('hello.service'));
expectType<Promise<WireUnitState[]>>(client.unitStates({ unitName: 'hello.service' }));
expectType<Promise<WireMachine[]>>(client.machines());
expectType<Promise<WireExplanation>>(client.explanation('hello.service'));
expectType<Promise<PlanResult>>(client.plan({ units: [{ name: 'a.service', contents: '[Service]\nExecStart=/bin/true\n' }] }));
expectType<Promise<void>>(client.setUnitTargetState('hello.service', 'launched'));
expectError(client.setUnitTargetState('hello.service', 'running'));
expectError(client.putUnit({ name: 'x.service', desiredState: 'started' }));
expectAssignable<DesiredState>('loaded');
expectError(new FleetClient({ endpoint }));

// ApiError is a FleetError (API_ERROR) that keeps the HTTP status.
declare const error: ApiError;
expectAssignable<FleetError>(error);
expectType<number>(error.status);
