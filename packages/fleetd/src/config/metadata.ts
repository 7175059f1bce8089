/**
 * Machine metadata as configuration gives it: an object, or fleet's
 * `k=v,k2=v2` string. Keys follow the core's rule (`createMachine`).
 */

const METADATA_KEY = /^[A-Za-z0-9_.-]{1,128}$/;

export const METADATA_KEY_RULE = 'keys must be 1-128 characters of [A-Za-z0-9_.-]';

export function isMetadataKey(key: string): boolean {
  // __proto__ would silently vanish from a plain object instead of becoming a key.
  return METADATA_KEY.test(key) && key !== '__proto__';
}

export type MetadataOutcome = { readonly ok: true; readonly metadata: Record<string, string> } | { readonly ok: false; readonly problems: readonly string[] };

/** Parses fleet's `region=us-east,disk=ssd`; every bad pair is named. */
export function parseMetadataString(text: string): MetadataOutcome {
  const metadata: Record<string, string> = {};
  const problems: string[] = [];
  for (const raw of text.split(',')) {
    const pair = raw.trim();
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    if (equals <= 0) {
      problems.push(`bad pair ${JSON.stringify(pair)}: expected key=value`);
      continue;
    }
    const key = pair.slice(0, equals).trim();
    if (!isMetadataKey(key)) {
      problems.push(`bad pair ${JSON.stringify(pair)}: ${METADATA_KEY_RULE}`);
      continue;
    }
    metadata[key] = pair.slice(equals + 1).trim();
  }
  return problems.length === 0 ? { ok: true, metadata } : { ok: false, problems };
}

/** The metadata as an object; call only on validated config. */
export function metadataObject(value: Record<string, string> | string | undefined): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'string') return { ...value };
  const outcome = parseMetadataString(value);
  return outcome.ok ? outcome.metadata : {};
}
