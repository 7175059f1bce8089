/**
 * The one rule for a TCP listener: it must authenticate its clients, with a
 * token or client certificates. TLS alone encrypts but lets anyone in. The
 * config (every problem at once, `tokenFile` before it is read) and the
 * server (direct callers of startApiServer) both ask it.
 */

/** Why a TCP listener without a token or client CA is refused. */
export const UNAUTHENTICATED_TCP =
  'a TCP listener requires token, tokenFile or tls.ca (client certificates): without them anyone who reaches the port controls the cluster; set api.tcp.allowUnauthenticated: true only if something else guards the port';

export interface TcpCredentials {
  readonly token?: unknown;
  readonly tokenFile?: unknown;
  /** The CA that signs client certificates (`tls.ca`). */
  readonly clientCa?: unknown;
}

export function authenticatesTcp(credentials: TcpCredentials): boolean {
  return credentials.token !== undefined || credentials.tokenFile !== undefined || credentials.clientCa !== undefined;
}
