import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** The dashboard's cookie: a browser cannot send a bearer token on its own, so a signed-in page carries this instead. */
export const SESSION_COOKIE = 'fleetd_session';
/** A session lasts this long; then the browser signs in again. */
export const SESSION_SECONDS = 12 * 60 * 60;

/**
 * Sessions are signed with the API token itself: nothing to store, every
 * fleetd with the same token accepts them, and changing the token ends them all.
 * The cookie holds its expiry and an HMAC of it, never the token.
 */
export class DashboardSessions {
  private readonly key: Buffer;
  private readonly expected: Buffer;

  constructor(
    token: string,
    private readonly now: () => number = Date.now,
  ) {
    this.key = createHash('sha256').update(`fleetd-dashboard-session\u0000${token}`).digest();
    this.expected = digest(token);
  }

  /** Compared in constant time whatever its length, as the bearer token is. */
  acceptsToken(candidate: string): boolean {
    return timingSafeEqual(digest(candidate), this.expected);
  }

  issue(): string {
    const expires = Math.floor(this.now() / 1000) + SESSION_SECONDS;
    return `v1.${expires}.${this.sign(expires)}`;
  }

  /** Whether a cookie value is a session this token signed that has not expired. */
  verify(value: string | undefined): boolean {
    const match = value === undefined ? null : /^v1\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value);
    if (match === null) return false;
    const expires = Number(match[1]);
    if (expires * 1000 <= this.now()) return false;
    return timingSafeEqual(Buffer.from(match[2] as string), Buffer.from(this.sign(expires)));
  }

  private sign(expires: number): string {
    return createHmac('sha256', this.key).update(`v1.${expires}`).digest('base64url');
  }
}

/** The value of one cookie in a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator !== -1 && part.slice(0, separator).trim() === name) return part.slice(separator + 1).trim();
  }
  return undefined;
}

/** Set-Cookie for a new session; `Secure` on TLS listeners. */
export function sessionCookie(value: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; Max-Age=${SESSION_SECONDS}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** Set-Cookie that ends the session. */
export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
