export * from '../local/index.js';
export { useSystemd } from './use-systemd.js';
