// @fleetd/plugin-systemd/vitest: useSystemd registers vitest's beforeAll/afterAll, so this
// entry point imports vitest (an optional peer dependency). startSystemdInstance and the rest
// are in /testing.
export { useSystemd } from './use-systemd.js';
