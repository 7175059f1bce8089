/**
 * Where systemd puts runtime links (`LinkUnitFiles(runtime=true)`), and so
 * where a linked unit's drop-ins must go: `/run/systemd/system` for the system
 * manager, `$XDG_RUNTIME_DIR/systemd/user` for a user manager. The driver
 * does not know the manager's scope or runtime directory, so it reads them
 * from the manager's own search path (its `UnitPath` property), in which
 * systemd (lookup-paths.c, since v233) lists the runtime directory together
 * with two siblings no other entry has:
 *
 *   <runtime>/systemd/<scope>.control   (runtime control: `systemctl set-property --runtime`)
 *   <runtime>/systemd/transient          (transient units)
 *   <runtime>/systemd/<scope>            (runtime config: the links; this one)
 *
 * The persistent config (`/etc/systemd/system`, `~/.config/systemd/user`) has a
 * `.control` sibling too, but no `transient` one.
 */
import { dirname, isAbsolute, join } from 'node:path';

/** The runtime unit directory in a manager's UnitPath, or undefined when the path does not show one (a custom SYSTEMD_UNIT_PATH). */
export function runtimeUnitDirectory(unitPath: readonly string[]): string | undefined {
  const entries = new Set(unitPath);
  const found = [...entries].filter(
    (dir) => isAbsolute(dir) && !dir.endsWith('.control') && entries.has(`${dir}.control`) && entries.has(join(dirname(dir), 'transient')),
  );
  // Exactly one, or the layout is not the one described above: better none than a guess.
  return found.length === 1 ? found[0] : undefined;
}
