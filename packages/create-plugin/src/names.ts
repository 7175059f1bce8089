import { builtinModules } from 'node:module';

// npm's rules for the name of a new package (those of validate-npm-package-name), plus
// fleetd's for the plugin name the starter derives from it: meta.name must start with a
// letter or digit and have at most 128 characters.
const MAX_NPM_NAME = 214;
const MAX_PLUGIN_NAME = 128;
const SCOPED = /^@([^/]+)\/([^/]+)$/;
const RESERVED = new Set(['node_modules', 'favicon.ico']);

/** The parts of a package name: `@acme/zones` → scope `acme`, bare name `zones`. */
export interface PackageName {
  readonly scope: string | undefined;
  readonly bare: string;
}

/** Splits a package name into scope and bare name; `undefined` when it starts with `@` but is not `@scope/name`. */
export function splitPackageName(name: string): PackageName | undefined {
  if (!name.startsWith('@')) return { scope: undefined, bare: name };
  const match = SCOPED.exec(name);
  return match === null ? undefined : { scope: match[1] as string, bare: match[2] as string };
}

/** Why `name` cannot name a new fleetd plugin package, or undefined when it can. */
export function packageNameProblem(name: string): string | undefined {
  if (name === '') return 'it is empty';
  if (name.trim() !== name) return 'it has leading or trailing spaces';
  if (name.length > MAX_NPM_NAME) return `it is longer than ${MAX_NPM_NAME} characters`;
  if (name.toLowerCase() !== name) return 'it has capital letters (npm names are lowercase)';
  const parts = splitPackageName(name);
  if (parts === undefined) return 'a scoped name is @scope/name';
  return partProblem('scope', parts.scope) ?? partProblem('name', parts.bare) ?? pluginNameProblem(parts);
}

function partProblem(what: 'scope' | 'name', part: string | undefined): string | undefined {
  if (part === undefined) return undefined;
  if (part === '') return `its ${what} is empty`;
  if (part.startsWith('.') || part.startsWith('_')) return `its ${what} starts with "${part[0] as string}"`;
  if (/[~'!()*]/.test(part)) return `its ${what} has one of the characters ~'!()* that npm no longer allows`;
  if (encodeURIComponent(part) !== part) return `its ${what} has characters that are not allowed in a URL`;
  if (what === 'name' && RESERVED.has(part)) return `"${part}" is reserved by npm`;
  return undefined;
}

function pluginNameProblem({ scope, bare }: PackageName): string | undefined {
  if (scope === undefined && builtinModules.includes(bare)) return `"${bare}" is the name of a Node.js core module`;
  if (!/^[a-z0-9]/.test(bare)) return 'its name must start with a letter or digit (it is also the plugin name, meta.name)';
  if (bare.length > MAX_PLUGIN_NAME) return `its name is longer than ${MAX_PLUGIN_NAME} characters (it is also the plugin name, meta.name)`;
  return undefined;
}

/** The plugin name (meta.name) and folder a package gets: its bare name, `@acme/zones` → `zones`. */
export function bareName(name: string): string {
  return splitPackageName(name)?.bare ?? name;
}
