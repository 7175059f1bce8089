/**
 * Where `fleetd dev` keeps its cluster when no `--dir` is given, and so where
 * fleetctl looks for it: a fixed path per user, so that a second terminal
 * needs no configuration.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The directory `fleetd dev` uses by default: root `/run/fleetd-dev`, a user `$XDG_RUNTIME_DIR/fleetd-dev`, else `/tmp/fleetd-dev-<uid>`. */
export function defaultDevDir(env: NodeJS.ProcessEnv = process.env, uid: number = process.getuid?.() ?? 0): string {
  if (uid === 0) return '/run/fleetd-dev';
  const runtimeDir = env['XDG_RUNTIME_DIR'];
  if (runtimeDir !== undefined && runtimeDir.startsWith('/')) return join(runtimeDir, 'fleetd-dev');
  return join(tmpdir(), `fleetd-dev-${uid}`);
}

/** The API socket of a `fleetd dev` cluster in `dir` (its first machine's fleetd). */
export function devSocketPath(dir: string = defaultDevDir()): string {
  return join(dir, 'fleetd.sock');
}
