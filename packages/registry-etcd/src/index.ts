export { createEtcdRegistry, type EtcdRegistry } from './etcd-registry.js';
export {
  DEFAULT_DIAL_TIMEOUT_MS,
  DEFAULT_ENDPOINTS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type EtcdAuthOptions,
  type EtcdRegistryOptions,
  type EtcdTlsContents,
  type EtcdTlsFiles,
  type EtcdTlsOptions,
  type Pem,
} from './options.js';
