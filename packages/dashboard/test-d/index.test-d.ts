import { expectAssignable, expectError, expectNotAssignable, expectType } from 'tsd';
import { DASHBOARD_ENTRY, DASHBOARD_LOGIN, dashboardAssetsDirectory } from '@fleetd/dashboard';
import type { DashChanges, DashEvent, DashMachine, DashSnapshot, DashUnit, DashUnitState } from '@fleetd/dashboard';

// Where fleetd finds the built pages.
expectType<string>(dashboardAssetsDirectory());
expectError(dashboardAssetsDirectory('dist'));
expectType<'index.html'>(DASHBOARD_ENTRY);
expectType<'login.html'>(DASHBOARD_LOGIN);

// The live feed's records, as the server builds them.
const machine: DashMachine = {
  id: 'alpha',
  primaryIP: '10.0.0.1',
  metadata: { zone: 'a' },
  facts: { memory: { type: 'bytes', value: 8 * 2 ** 30 } },
  units: 2,
};
expectNotAssignable<DashMachine>({ ...machine, facts: { memory: { type: 'size', value: 1 } } });
expectNotAssignable<DashMachine>({ id: 'alpha', primaryIP: '10.0.0.1', metadata: {}, facts: {} });

const state: DashUnitState = { machineID: 'alpha', load: 'loaded', active: 'active', sub: 'running', hash: '' };
expectAssignable<DashUnitState>({ ...state, message: 'start vetoed: disk full' });

const unit: DashUnit = { name: 'web.service', desiredState: 'launched', currentState: 'loaded', global: false, template: false, hash: 'abc', states: [state] };
expectAssignable<DashUnit>({ ...unit, machineID: 'alpha' });
expectAssignable<DashUnit>({ ...unit, unschedulable: '0/3 machines available: 3 metadata zone=x not matched' });
expectNotAssignable<DashUnit>({ ...unit, desiredState: 'running' });
expectType<string | undefined>(unit.machineID);

const event: DashEvent = { id: 1, time: '2025-01-01T00:00:00Z', kind: 'placed', unit: 'web.service', machine: 'alpha', message: 'web.service placed on alpha' };
expectNotAssignable<DashEvent>({ ...event, kind: 'exploded' });
expectAssignable<DashEvent['kind']>('machine-left');

expectAssignable<DashSnapshot>({ revision: 12, machines: [machine], units: [unit], events: [event] });
// Every key of a change batch but the revision may be absent.
expectAssignable<DashChanges>({ revision: 13 });
expectAssignable<DashChanges>({ revision: 13, units: { upsert: [unit], remove: ['db.service'] }, machines: { upsert: [], remove: ['beta'] }, events: [event] });
expectNotAssignable<DashChanges>({ revision: 13, units: { upsert: [unit] } });
