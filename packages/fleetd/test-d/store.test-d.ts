import { expectAssignable, expectError, expectType } from 'tsd';
import type { Registry } from '@fleetd/core';
import { acquireDataDirLock, openFileRegistry, type DataDirLock, type FileRegistry, type StoreRecovery } from '../dist/store/index.js';

const registry = await openFileRegistry({ dir: '/var/lib/fleetd' });
expectType<FileRegistry>(registry);
expectAssignable<Registry>(registry);
expectType<StoreRecovery>(registry.recovery);
expectType<Promise<void>>(registry.checkpoint());
expectType<FileRegistry>(await openFileRegistry({ dir: '/d', fsync: false, compactAfterBytes: 1024 }));
expectError(openFileRegistry({}));
expectError(openFileRegistry({ dir: '/d', fsync: 'yes' }));

const lock = await acquireDataDirLock('/var/lib/fleetd');
expectType<DataDirLock>(lock);
expectType<void>(lock.release());
