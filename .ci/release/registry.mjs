// A local npm registry for release:check: it serves the packed tarballs as if they were
// published, and sends every other request to the upstream registry, so commands written
// for users (`npm install --global fleetd`, `npm init @fleetd/plugin x`) run literally with
// npm_config_registry pointing here.
//
// For each tarball it serves the packument npm would get after `npm publish`: the
// tarball's own package.json as the one version (dist-tag latest), with dist.tarball
// pointing back here and dist.integrity (sha512) and dist.shasum (sha1) computed from the
// file. Anything else (other packages' packuments and tarballs, audit) is answered with a
// redirect to the same path upstream (307, so a POST stays a POST), which npm follows;
// nothing is proxied or cached here. A packed name shadows the upstream package entirely.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { basename } from 'node:path';

/** The package.json inside a tarball made by npm pack. */
export function manifestOf(tarball) {
  return JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
}

function digests(bytes) {
  return {
    integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
    shasum: createHash('sha1').update(bytes).digest('hex'),
  };
}

function packument(manifest, tarballUrl, dist) {
  const { name, version } = manifest;
  const now = new Date().toISOString();
  return {
    _id: name,
    name,
    description: manifest.description,
    'dist-tags': { latest: version },
    versions: { [version]: { ...manifest, _id: `${name}@${version}`, dist: { tarball: tarballUrl, ...dist } } },
    time: { created: now, modified: now, [version]: now },
    license: manifest.license,
    readme: '',
  };
}

/**
 * Starts the registry on a free localhost port. `tarballs`: Map package name -> .tgz path.
 * Resolves with { url, close(), requests } (`requests` counts what was served locally
 * and what was redirected, for the report).
 */
export async function startRegistry(tarballs, upstream) {
  const upstreamUrl = new URL(upstream.endsWith('/') ? upstream : `${upstream}/`);
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/`;
  const local = new Map();
  const files = new Map();
  for (const [name, path] of tarballs) {
    const bytes = readFileSync(path);
    const manifest = manifestOf(path);
    const file = `${name}/-/${basename(path)}`;
    local.set(name, JSON.stringify(packument(manifest, new URL(file, url).href, digests(bytes))));
    files.set(`/${file}`, bytes);
  }
  const requests = { local: 0, redirected: 0 };
  server.on('request', (request, response) => {
    const path = decodeURIComponent(new URL(request.url, url).pathname);
    const body = request.method === 'GET' || request.method === 'HEAD' ? (local.get(path.slice(1)) ?? files.get(path)) : undefined;
    if (body !== undefined) {
      requests.local++;
      const type = typeof body === 'string' ? 'application/json' : 'application/octet-stream';
      response.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
      response.end(request.method === 'HEAD' ? undefined : body);
      return;
    }
    requests.redirected++;
    // The path as npm sent it (a scoped name keeps its %2f), on the upstream registry.
    const target = new URL(request.url.replace(/^\//, ''), upstreamUrl);
    response.writeHead(307, { location: target.href, 'cache-control': 'no-store' });
    response.end();
    request.resume();
  });
  return {
    url,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
