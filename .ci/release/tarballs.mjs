// What every packed tarball must hold, read from the unpacked tarball: the root LICENSE
// byte for byte, no TypeScript build info, a source map only with every source it names,
// a README whose links work on the npm page (absolute), and repository, homepage and bugs
// that agree with the root package.json (the one place that names the repository).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

function filesUnder(dir, base = dir) {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path, base) : [relative(base, path)];
  });
}

/** Markdown link targets (inline and reference definitions) that are not absolute URLs or anchors. */
export function relativeLinks(markdown) {
  const targets = [
    ...markdown.matchAll(/\]\(\s*<?([^)\s>]+)/g),
    ...markdown.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(\s|$)/gm),
    ...markdown.matchAll(/\b(?:src|href)="([^"]+)"/g),
  ].map((match) => match[1]);
  return targets.filter((target) => !/^(https?:|mailto:|#)/.test(target));
}

function mapProblems(packageDir, file) {
  let map;
  try {
    map = JSON.parse(readFileSync(join(packageDir, file), 'utf8'));
  } catch (error) {
    return [`${file}: not a JSON source map (${error.message})`];
  }
  const base = resolve(packageDir, dirname(file), map.sourceRoot ?? '');
  return (map.sources ?? [])
    .filter((source) => {
      const path = resolve(base, source);
      return !path.startsWith(`${packageDir}/`) || !existsSync(path);
    })
    .map((source) => `${file}: its source ${source} is not in the tarball`);
}

/** The repository fields every package must carry, from the root package.json and the package's folder. */
export function expectedRepositoryFields(rootManifest, location) {
  const url = rootManifest.repository.url;
  const web = url.replace(/^git\+/, '').replace(/\.git$/, '');
  return {
    repository: { type: 'git', url, directory: location },
    homepage: `${web}/tree/main/${location}#readme`,
    bugs: rootManifest.bugs,
  };
}

/**
 * Problems of one unpacked tarball (`packageDir` is its package/ folder), each naming the
 * file; `location` is the package's folder in the workspace.
 */
export function tarballProblems({ packageDir, location, rootDir, rootManifest }) {
  const problems = [];
  const files = filesUnder(packageDir);
  const license = join(packageDir, 'LICENSE');
  if (!existsSync(license)) problems.push('LICENSE: missing');
  else if (!readFileSync(license).equals(readFileSync(join(rootDir, 'LICENSE')))) problems.push('LICENSE: differs from the root LICENSE');
  for (const file of files.filter((name) => name.endsWith('.tsbuildinfo'))) problems.push(`${file}: TypeScript build info is shipped`);
  for (const file of files.filter((name) => name.endsWith('.map'))) problems.push(...mapProblems(packageDir, file));
  const readme = files.find((name) => /^readme\.md$/i.test(name));
  if (readme === undefined) problems.push('README.md: missing');
  else
    for (const link of relativeLinks(readFileSync(join(packageDir, readme), 'utf8')))
      problems.push(`${readme}: relative link ${link} (broken on the npm page: link to the repository)`);
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  for (const [field, expected] of Object.entries(expectedRepositoryFields(rootManifest, location))) {
    if (JSON.stringify(manifest[field]) !== JSON.stringify(expected))
      problems.push(`package.json: ${field} is ${JSON.stringify(manifest[field])}, expected ${JSON.stringify(expected)} (from the root package.json)`);
  }
  if (!Array.isArray(manifest.keywords) || manifest.keywords.length === 0) problems.push('package.json: no keywords');
  if (manifest.license !== rootManifest.license) problems.push(`package.json: license ${manifest.license}, the root says ${rootManifest.license}`);
  return problems;
}
