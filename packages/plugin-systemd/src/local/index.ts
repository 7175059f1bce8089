export { startSystemdInstance, type RestartSystemdOptions, type StartSystemdOptions, type SystemdInstance } from './instance.js';
export { DEFAULT_SYSTEMD_BINARY, findSystemd, SYSTEMD_BINARY_ENV, SYSTEMD_INSTALL_COMMAND } from './binary.js';
