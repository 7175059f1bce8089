import { readFileSync } from 'node:fs';

/** The dependency ranges a generated plugin package gets, by package name. */
export type TemplateVersions = Readonly<Record<TemplatePackage, string>>;

/** Every package a generated plugin package depends on. */
export const TEMPLATE_PACKAGES = ['@changesets/cli', '@fleetd/core', '@fleetd/preset-fleet', '@types/node', 'tsd', 'typescript', 'vitest', 'zod'] as const;
export type TemplatePackage = (typeof TEMPLATE_PACKAGES)[number];

interface Manifest {
  readonly devDependencies?: Readonly<Record<string, string>>;
}

/**
 * The ranges a generated package gets, from the starter's own devDependencies: the
 * workspace tests with exactly these, and a release updates the @fleetd ones (changesets
 * rewrites internal ranges when it bumps a package). A @fleetd package pinned at `X.Y.Z`
 * gives `^X.Y.Z`, the range a plugin accepts; the others are taken as written.
 */
export function templateVersions(manifest: Manifest): TemplateVersions {
  const ranges: Partial<Record<TemplatePackage, string>> = {};
  for (const name of TEMPLATE_PACKAGES) {
    const range = manifest.devDependencies?.[name];
    if (range === undefined) throw new Error(`@fleetd/create-plugin's package.json has no devDependency on ${name}, the range it writes for it`);
    ranges[name] = name.startsWith('@fleetd/') ? caretOf(name, range) : range;
  }
  return ranges as TemplateVersions;
}

function caretOf(name: string, range: string): string {
  const version = /^[\^~=]?(\d+\.\d+\.\d+(?:-[\w.]+)?)$/.exec(range)?.[1];
  if (version === undefined) throw new Error(`@fleetd/create-plugin's devDependency on ${name} is ${range}, not a version (X.Y.Z, ^X.Y.Z or ~X.Y.Z)`);
  return `^${version}`;
}

/** The starter's own package.json. */
export function ownManifest(): Manifest & { readonly version: string } {
  return JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as Manifest & { readonly version: string };
}
