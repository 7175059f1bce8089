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
  // From this module, wherever npm put the package: '../dist/ui' names the same folder from
  // dist/index.js (built) and from src/index.ts (tests and tsx run the source).
  return fileURLToPath(new URL('../dist/ui', import.meta.url));
}

export type { DashChanges, DashEvent, DashMachine, DashSnapshot, DashUnit, DashUnitState } from './feed.js';
