import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pluginFiles } from './files.js';
import { bareName, packageNameProblem } from './names.js';
import { ownManifest, templateVersions } from './versions.js';

export interface CreatePluginOptions {
  /** The npm name of the new package (`my-plugin`, `@acme/fleetd-zones`). */
  readonly name: string;
  /** Where to write it; default: the name's bare part (`zones` for `@acme/zones`) in `cwd`. */
  readonly directory?: string;
  /** What a relative `directory` is relative to; default: the working directory. */
  readonly cwd?: string;
}

export interface CreatedPlugin {
  /** Absolute path of the new package. */
  readonly directory: string;
  /** The files written, relative to `directory`, with `/`, sorted. */
  readonly files: readonly string[];
  /** The range of @fleetd/core the package accepts (peer and meta.core). */
  readonly coreRange: string;
}

/** A name or directory the starter refuses; its message is one line, naming what is wrong. */
export class CreatePluginError extends Error {
  override readonly name = 'CreatePluginError';
}

/**
 * Writes a new fleetd plugin package: package.json, src/ with the plugin and its vitest
 * tests, test-d/, tsconfigs, README, .gitignore and a changeset setup. Refuses an invalid
 * npm name and a directory that exists and is not empty, before writing anything.
 */
export function createPlugin(options: CreatePluginOptions): CreatedPlugin {
  const problem = packageNameProblem(options.name);
  if (problem !== undefined) throw new CreatePluginError(`invalid package name ${JSON.stringify(options.name)}: ${problem}`);
  const directory = resolve(options.cwd ?? process.cwd(), options.directory ?? bareName(options.name));
  refuseUnusable(directory);
  const versions = templateVersions(ownManifest());
  const files = pluginFiles(options.name, versions);
  for (const [path, text] of files) {
    const target = join(directory, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
  }
  return { directory, files: [...files.keys()], coreRange: versions['@fleetd/core'] };
}

function refuseUnusable(directory: string): void {
  const stats = statSync(directory, { throwIfNoEntry: false });
  if (stats === undefined) return;
  if (!stats.isDirectory()) throw new CreatePluginError(`${directory} exists and is not a directory`);
  if (readdirSync(directory).length > 0) throw new CreatePluginError(`${directory} is not empty: choose another name or remove what is there`);
}
