// The rules of the testing-without-vitest stage, apart from the installing and spawning so
// they are tested on their own: which entry points of an installed package plain `node`
// must load, and whether an install holds vitest.

/** A subpath for vitest only: one of its segments is `vitest` (`./vitest`, `./x/vitest`). */
export function isVitestSubpath(subpath) {
  return subpath.split('/').includes('vitest');
}

/** How a user imports a subpath: `@fleetd/core` for `.`, `@fleetd/core/testing` for `./testing`. */
export function specifierOf(name, subpath) {
  return subpath === '.' ? name : `${name}${subpath.slice(1)}`;
}

/**
 * The subpaths of an installed package.json's `exports` that plain `node` must import:
 * every one but the vitest ones, JSON files and subpaths blocked with `null`. A package
 * without `exports` has its `main`, or nothing (a command-line tool). A pattern (`./*`)
 * is refused: its entry points cannot be listed, so none of them would be checked.
 */
export function importableSubpaths(manifest) {
  const map = manifest.exports;
  if (map === undefined || map === null) return manifest.main === undefined ? [] : ['.'];
  // Either subpaths ("." , "./x") or the conditions of "." alone.
  const subpaths = typeof map === 'object' && !Array.isArray(map) && Object.keys(map).every((key) => key.startsWith('.')) ? map : { '.': map };
  const importable = [];
  for (const [subpath, target] of Object.entries(subpaths)) {
    if (subpath.includes('*')) {
      throw new Error(`${manifest.name}: exports pattern "${subpath}" cannot be checked entry point by entry point; list them one by one`);
    }
    if (target === null || subpath.endsWith('.json') || isVitestSubpath(subpath)) continue;
    importable.push(subpath);
  }
  return importable;
}

/** The vitest packages (vitest, @vitest/*) an npm lock file installs, as their `node_modules/...` paths. */
export function vitestInLock(lock) {
  return Object.keys(lock.packages ?? {}).filter((path) => /(^|\/)node_modules\/(vitest|@vitest\/[^/]+)$/.test(path));
}
