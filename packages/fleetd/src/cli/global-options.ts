import type { Command } from '@commander-js/extra-typings';
import { DEFAULT_ENDPOINT } from './endpoint.js';

/**
 * The options of fleetctl itself. Every command reads them, and they may
 * come before or after the command's name (`fleetctl --json list-units`,
 * `fleetctl list-units --json`): commander parses them for the program
 * either way.
 */
export function withGlobalOptions(program: Command) {
  return program
    .option(
      '--endpoint <endpoint>',
      `fleetd API: a unix socket path (absolute, or relative to the working directory), unix:///path or http(s)://host:port (env FLEETCTL_ENDPOINT; default: the first socket found of ${DEFAULT_ENDPOINT}, $XDG_RUNTIME_DIR/fleetd/fleetd.sock (fleetd --systemd-user) and fleetd dev's)`,
    )
    .option('--token <token>', 'bearer token for a TCP endpoint (env FLEETCTL_TOKEN)')
    .option('--ca-file <file>', 'PEM CA bundle to trust for an https endpoint (env FLEETCTL_CA_FILE)')
    .option('--cert-file <file>', 'PEM client certificate for an https endpoint that checks them, with --key-file (env FLEETCTL_CERT_FILE)')
    .option('--key-file <file>', 'PEM key of the --cert-file certificate (env FLEETCTL_KEY_FILE)')
    .option('--request-timeout <ms>', 'milliseconds to allow a single request (default 3000)')
    .option('--json', 'print JSON instead of tables (listings, status, explain, plan, simulate)');
}

/** The global options as commander hands them over. */
export type GlobalOptions = ReturnType<ReturnType<typeof withGlobalOptions>['opts']>;
