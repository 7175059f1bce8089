export * from '../local/index.js';
export { useEtcd } from './use-etcd.js';
