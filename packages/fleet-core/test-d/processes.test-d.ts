import { expectError, expectType } from 'tsd';
import { isAlive, killQuietly, retire, startWatchdog, track, untrack, type Cleanable } from '@fleetd/core/processes';

const cluster: Cleanable = { cleanupSync: () => undefined };
expectType<void>(track(cluster));
expectType<void>(untrack(cluster));
expectError(track({}));
expectType<number | undefined>(startWatchdog('my-watchdog', 'rm -rf "$2"', ['/tmp/dir']));
expectType<void>(killQuietly(123, 'SIGTERM'));
expectType<boolean>(isAlive(process.pid));
expectType<void>(retire(cluster, undefined, '/tmp/dir'));
expectError(isAlive('123'));
