import { expectAssignable, expectError, expectType } from 'tsd';
import { createPlugin, CreatePluginError } from '@fleetd/create-plugin';
import type { CreatedPlugin, CreatePluginOptions } from '@fleetd/create-plugin';

expectType<CreatedPlugin>(createPlugin({ name: 'my-plugin' }));
expectAssignable<CreatePluginOptions>({ name: '@acme/zones', directory: 'zones', cwd: '/tmp' });
expectType<readonly string[]>(createPlugin({ name: 'my-plugin' }).files);
expectType<string>(createPlugin({ name: 'my-plugin' }).coreRange);
expectError(createPlugin({ directory: 'zones' }));
expectAssignable<Error>(new CreatePluginError('refused'));
