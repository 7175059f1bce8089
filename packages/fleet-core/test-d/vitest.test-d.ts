import { expectAssignable, expectError, expectNotAssignable, expectType } from 'tsd';
import { createMemoryRegistry, ErrorCodes, type FleetError } from '@fleetd/core';
import { describeRegistryContract, expectFleetError, type RegistryContractOptions, type RegistryContractSetup } from '@fleetd/core/vitest';

// The registry contract suite: a label, a setup that makes a store of its own (and how to clean it up), options.
expectType<void>(describeRegistryContract('memory', async () => ({ registry: createMemoryRegistry() })));
describeRegistryContract('etcd', async () => ({ registry: createMemoryRegistry(), cleanup: async () => undefined }), { leaseTtlSeconds: 2 });
expectAssignable<RegistryContractSetup>({ registry: createMemoryRegistry() });
expectAssignable<RegistryContractOptions>({});
expectNotAssignable<RegistryContractOptions>({ leaseTtlSeconds: '2' });
// The setup is async: a store returned as is does not compile.
expectError(describeRegistryContract('sync', () => ({ registry: createMemoryRegistry() })));
expectError(describeRegistryContract('no store', async () => ({})));

// expectFleetError takes an error code, not any string, and returns the error.
expectType<Promise<FleetError>>(expectFleetError(Promise.resolve(), ErrorCodes.REGISTRY_CLOSED));
expectError(expectFleetError(Promise.resolve(), 'NOT_A_CODE'));
