import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { ErrorCodes, FleetError } from '@fleetd/core';
import { DASHBOARD_ENTRY, DASHBOARD_LOGIN, dashboardAssetsDirectory } from '@fleetd/dashboard';

export interface Asset {
  readonly body: Buffer;
  /** Compressed once at start; sent to clients that accept gzip. */
  readonly gzip: Buffer;
  readonly type: string;
  readonly etag: string;
}

export interface DashboardAssets {
  readonly index: Asset;
  readonly login: Asset;
  /** By path under `assets/`, e.g. `app-3F2A.js`. */
  readonly files: ReadonlyMap<string, Asset>;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

/** Every built file, read once when the server starts (they are small): nothing is read per request. */
export function loadDashboardAssets(directory = dashboardAssetsDirectory()): DashboardAssets {
  const entry = join(directory, DASHBOARD_ENTRY);
  if (!existsSync(entry)) {
    throw new FleetError(
      ErrorCodes.API_LISTEN_FAILED,
      `api.dashboard: the dashboard's files are missing (no ${entry}): build them with npm run build, or turn the dashboard off with api.dashboard: false`,
    );
  }
  const files = new Map<string, Asset>();
  const assetsDirectory = join(directory, 'assets');
  for (const file of existsSync(assetsDirectory) ? filesUnder(assetsDirectory) : []) {
    files.set(relative(assetsDirectory, file).split(sep).join('/'), assetOf(file));
  }
  return { index: assetOf(entry), login: assetOf(join(directory, DASHBOARD_LOGIN)), files };
}

function assetOf(file: string): Asset {
  const body = readFileSync(file);
  return {
    body,
    gzip: gzipSync(body, { level: 9 }),
    type: TYPES[extname(file)] ?? 'application/octet-stream',
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
  };
}

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}
