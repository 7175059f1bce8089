import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { bareName } from './names.js';
import { pluginPackageJson } from './package-json.js';
import type { TemplateVersions } from './versions.js';

const TEMPLATE_DIR = fileURLToPath(new URL('../template/', import.meta.url));

/**
 * The files of a new plugin package, path (with `/`) → contents, sorted by path: the
 * template's files with `{{packageName}}` and `{{pluginName}}` filled in, and its
 * package.json. Template names starting with `_` start with `.` in the package: npm
 * leaves `.gitignore` out of the starter's own tarball.
 */
export function pluginFiles(name: string, versions: TemplateVersions): Map<string, string> {
  const files = new Map<string, string>([['package.json', pluginPackageJson(name, versions)]]);
  for (const path of templatePaths(TEMPLATE_DIR)) {
    const text = readFileSync(join(TEMPLATE_DIR, path), 'utf8');
    files.set(dotted(path), fill(text, { packageName: name, pluginName: bareName(name) }));
  }
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Every file under `dir`, relative to it, with `/` (a walk of its own: recursive readdir needs Node 20.12). */
function templatePaths(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    return entry.isDirectory() ? templatePaths(dir, path) : [path];
  });
}

function dotted(path: string): string {
  return path
    .split('/')
    .map((part) => (part.startsWith('_') ? `.${part.slice(1)}` : part))
    .join('/');
}

function fill(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (placeholder, key: string) => values[key] ?? placeholder);
}
