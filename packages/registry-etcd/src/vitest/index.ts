// @fleetd/registry-etcd/vitest: useEtcd registers vitest's beforeAll/afterAll, so this entry
// point imports vitest (an optional peer dependency). startEtcd and the rest are in /testing.
export { useEtcd } from './use-etcd.js';
