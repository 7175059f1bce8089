/**
 * fleetd's web dashboard: the built browser assets (`dist/ui`, made by `npm run build:ui`)
 * that fleetd serves at `/ui/`, and the shapes of the live feed (`GET /fleetd/v1/events`)
 * the server sends and the page reads. The page's code lives in `ui/` and is not exported.
 */
import { fileURLToPath } from 'node:url';

/** The page fleetd serves for `/ui/` (hash routing: the server never serves another page). */
export const DASHBOARD_ENTRY = 'index.html';
/** The sign-in page fleetd serves for `/ui/login`, without credentials. */
export const DASHBOARD_LOGIN = 'login.html';

/** Absolute path of the built assets: `index.html`, `login.html` and `assets/`. */
export function dashboardAssetsDirectory(): string {
  // dist/index.js sits beside dist/ui/; the path is resolved from this file, wherever npm put the package.
  return fileURLToPath(new URL('./ui', import.meta.url));
}

export type { DashChanges, DashEvent, DashMachine, DashSnapshot, DashUnit, DashUnitState } from './feed.js';
