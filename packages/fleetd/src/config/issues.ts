/**
 * Config problems: one `path: message` line each, collected and thrown together
 * as CONFIG_INVALID, prefixed with where the configuration came from.
 */
import { ErrorCodes, FleetError } from '@fleetd/core';

/** A value as people read it in a message: strings quoted, the rest as JSON. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'number') return String(value);
  // Only what JSON cannot show (a symbol, a BigInt, a cycle) reaches String.
  try {
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- see above
    return JSON.stringify(value) ?? String(value);
  } catch {
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- see above
    return String(value);
  }
}

export type ConfigPath = readonly (string | number)[];

/** Where a value came from: a file (with a line when known), the environment, or the command line. */
export type ValueOrigin =
  | { readonly kind: 'file'; readonly file: string | undefined; readonly line?: number | undefined }
  | { readonly kind: 'env'; readonly name: string }
  | { readonly kind: 'flag'; readonly name: string };

export interface ConfigIssue {
  readonly path: ConfigPath;
  readonly message: string;
  readonly origin: ValueOrigin;
}

/** `etcd.endpoints[1]`, `plugins[2].weight`; `(root)` for the config itself. */
export function formatPath(path: ConfigPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? segment : `.${segment}`;
  }
  return text === '' ? '(root)' : text;
}

export function sourceName(origin: ValueOrigin): string {
  if (origin.kind === 'env') return 'environment';
  if (origin.kind === 'flag') return 'command line';
  return origin.file ?? 'the configuration object';
}

function formatIssue(issue: ConfigIssue): string {
  const path = formatPath(issue.path);
  const { origin } = issue;
  if (origin.kind === 'file') return origin.line === undefined ? `${path}: ${issue.message}` : `${path} (line ${origin.line}): ${issue.message}`;
  return `${path} (${origin.name}): ${issue.message}`;
}

/** One CONFIG_INVALID error listing every issue, headed by the source(s) involved. */
export function configInvalid(unordered: readonly ConfigIssue[]): FleetError {
  // File order reads best; problems without a line keep their order, after the rest.
  const lineOf = (issue: ConfigIssue) => (issue.origin.kind === 'file' ? (issue.origin.line ?? Infinity) : Infinity);
  const issues = [...unordered].sort((a, b) => lineOf(a) - lineOf(b));
  const lines = issues.map(formatIssue);
  const sources = [...new Set(issues.map((issue) => sourceName(issue.origin)))];
  const fileOrigin = issues.find((issue) => issue.origin.kind === 'file')?.origin;
  const file = fileOrigin?.kind === 'file' ? fileOrigin.file : undefined;
  const line = issues.length === 1 && fileOrigin?.kind === 'file' ? fileOrigin.line : undefined;
  return new FleetError(ErrorCodes.CONFIG_INVALID, `invalid configuration in ${sources.join(' and ')}:\n  ${lines.join('\n  ')}`, {
    issues: lines,
    file,
    line,
  });
}

/** Problems found while reading environment variables or flags, named by variable or flag. */
export function layerInvalid(source: 'environment' | 'command line', problems: readonly string[]): FleetError {
  return new FleetError(ErrorCodes.CONFIG_INVALID, `invalid configuration in ${source}:\n  ${problems.join('\n  ')}`, {
    issues: problems,
  });
}
