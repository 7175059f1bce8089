/**
 * The packages as npm would deliver them: every published workspace package
 * packed (from its built dist/), the tarballs installed into an empty project
 * outside the workspace, so nothing resolves through workspace links.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const INSTALL_TIMEOUT_MS = 240_000;

function npm(args: readonly string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('npm', [...args], { cwd, timeout: INSTALL_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error === null) resolve(stdout);
      else reject(new Error(`npm ${args.join(' ')} failed in ${cwd}: ${error.message}\n${stderr}`));
    });
  });
}

/** Folders of the workspace packages that are published (not private), as npm itself lists them. */
export async function publishedPackageDirs(): Promise<string[]> {
  const workspaces = JSON.parse(await npm(['query', '.workspace:not([private=true])'], ROOT)) as { location: string }[];
  return workspaces.map(({ location }) => join(ROOT, location));
}

/** Packs every published package into `destination`; returns the tarball paths. */
export async function packPublished(destination: string): Promise<string[]> {
  const workspaces = (await publishedPackageDirs()).flatMap((dir) => ['--workspace', dir]);
  const packed = JSON.parse(await npm(['pack', ...workspaces, '--pack-destination', destination, '--json'], ROOT)) as { filename: string }[];
  return packed.map(({ filename }) => join(destination, filename));
}

/** An empty project in `dir` with the tarballs installed, as a user would `npm install` them. */
export async function installTarballs(dir: string, tarballs: readonly string[]): Promise<void> {
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'trying-fleetd', private: true }, null, 2)}\n`);
  await npm(['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs], dir);
}
