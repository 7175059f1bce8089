// The systemd user instances for tests, without vitest (the same as /local): a plain `node`
// script or any test runner can import them. useSystemd, which registers vitest hooks, is in /vitest.
export * from '../local/index.js';
