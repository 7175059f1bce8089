export { startEtcd, type EtcdClientOptions, type EtcdCluster, type StartEtcdOptions } from './harness.js';
export type { EtcdMember } from './member.js';
export { ETCD_BINARY_ENV, ETCD_INSTALL_COMMAND, findEtcd } from './binary.js';
export { startTcpProxy, type CutMode, type TcpProxy } from './proxy.js';
export { freePorts } from './ports.js';
