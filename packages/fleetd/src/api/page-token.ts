import { HTTP_REASONS, HttpError } from './errors.js';

/**
 * fleet's page token (api/pagination.go): the struct {Limit, Page uint16}
 * written little-endian and base64url-encoded with padding, so page 1 of 100
 * is "ZAABAA==". The limit must be the server's page size.
 */
export interface PageToken {
  readonly limit: number;
  readonly page: number;
}

export function encodePageToken(token: PageToken): string {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt16LE(token.limit, 0);
  bytes.writeUInt16LE(token.page, 2);
  return bytes.toString('base64url').padEnd(8, '=');
}

/** The token of a list request (`nextPageToken`, at most once), or page 1; 400 with fleet's messages otherwise. */
export function pageTokenOf(values: readonly string[], pageSize: number): PageToken {
  if (values.length > 1) throw new HttpError(400, 'too many values for page token', HTTP_REASONS.requestInvalid);
  const [value] = values;
  if (value === undefined) return { limit: pageSize, page: 1 };
  const token = decodePageToken(value);
  if (token.limit !== pageSize) throw new HttpError(400, `token limit must be ${pageSize}`, HTTP_REASONS.requestInvalid);
  if (token.page === 0) throw new HttpError(400, 'token page must be greater than zero', HTTP_REASONS.requestInvalid);
  return token;
}

function decodePageToken(value: string): PageToken {
  const bytes = strictBase64Url(value);
  if (bytes.length < 4) throw new HttpError(400, bytes.length === 0 ? 'EOF' : 'unexpected EOF', HTTP_REASONS.requestInvalid);
  return { limit: bytes.readUInt16LE(0), page: bytes.readUInt16LE(2) };
}

/** Go's base64.URLEncoding is strict (padding required, no other alphabet); Node's decoder is not. */
function strictBase64Url(value: string): Buffer {
  const illegal = /[^A-Za-z0-9_-]/.exec(value.replace(/={1,2}$/, ''));
  if (illegal !== null) throw new HttpError(400, `illegal base64 data at input byte ${illegal.index}`, HTTP_REASONS.requestInvalid);
  if (value.length % 4 !== 0) throw new HttpError(400, `illegal base64 data at input byte ${value.length - (value.length % 4)}`, HTTP_REASONS.requestInvalid);
  return Buffer.from(value, 'base64url');
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextPageToken: string | undefined;
}

/**
 * fleet's slicing, quirk included: a page that ends exactly at the last item
 * still offers a next token, whose page is empty.
 */
export function pageOf<T>(all: readonly T[], token: PageToken): Page<T> {
  const start = (token.page - 1) * token.limit;
  const stop = token.page * token.limit;
  if (start >= all.length) return { items: [], nextPageToken: undefined };
  if (stop > all.length) return { items: all.slice(start), nextPageToken: undefined };
  return { items: all.slice(start, stop), nextPageToken: encodePageToken({ limit: token.limit, page: (token.page + 1) & 0xffff }) };
}
