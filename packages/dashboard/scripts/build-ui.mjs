#!/usr/bin/env node
// Builds the dashboard's browser assets into dist/ui (npm run build:ui, part of the root
// `npm run build`): esbuild bundles and minifies ui/main.tsx (the app) and ui/login.ts
// (the sign-in page) with their CSS into content-hashed files under dist/ui/assets, then
// writes index.html and login.html referring to them by absolute /ui/assets/ paths, and
// the sizes (raw and gzip) to dist/ui/sizes.json, which the bench reports.
// No source maps: the package ships dist/, not ui/, and a map must come with its sources.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const OUT_DIR = join(PACKAGE_DIR, 'dist', 'ui');
const ASSETS_DIR = join(OUT_DIR, 'assets');
/** Where fleetd serves dist/ui. */
const PUBLIC_PATH = '/ui/';

const PAGES = {
  app: { entry: 'ui/main.tsx', html: 'index.html', title: 'fleetd', body: '<div id="app"></div>' },
  login: { entry: 'ui/login.ts', html: 'login.html', title: 'Sign in · fleetd', body: loginBody() },
};

function loginBody() {
  // Works without the script too: a plain form the server answers with a redirect.
  return `<main class="login">
  <h1>fleetd</h1>
  <form method="post" action="/ui/login">
    <p class="error" id="login-error" role="alert" hidden>That token was not accepted</p>
    <label for="token">API token</label>
    <input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
    <button type="submit">Sign in</button>
  </form>
</main>`;
}

function page({ title, body }, { js, css }) {
  // The server's CSP allows no inline script or style: everything is a file of our own.
  // The empty data: icon spares a request for /favicon.ico, which lies outside /ui/.
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${title}</title>
<link rel="icon" href="data:,">
${css === undefined ? '' : `<link rel="stylesheet" href="${PUBLIC_PATH}${css}">\n`}<script type="module" src="${PUBLIC_PATH}${js}"></script>
</head>
<body>
${body}
</body>
</html>
`;
}

function size(file) {
  const bytes = readFileSync(join(OUT_DIR, file));
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

async function main() {
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(ASSETS_DIR, { recursive: true });
  const result = await build({
    absWorkingDir: PACKAGE_DIR,
    entryPoints: Object.fromEntries(Object.entries(PAGES).map(([name, { entry }]) => [name, entry])),
    outdir: ASSETS_DIR,
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2022', 'chrome100', 'firefox100', 'safari15'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  const files = {};
  const totals = {};
  for (const [name, spec] of Object.entries(PAGES)) {
    const output = Object.entries(result.metafile.outputs).find(([, meta]) => meta.entryPoint === spec.entry);
    if (output === undefined) throw new Error(`build-ui: esbuild wrote no output for ${spec.entry}`);
    const [jsPath, meta] = output;
    const js = relative(OUT_DIR, join(PACKAGE_DIR, jsPath));
    const css = meta.cssBundle === undefined ? undefined : relative(OUT_DIR, join(PACKAGE_DIR, meta.cssBundle));
    writeFileSync(join(OUT_DIR, spec.html), page(spec, { js, css }));
    const total = { raw: 0, gzip: 0 };
    for (const file of [js, css, spec.html].filter((f) => f !== undefined)) {
      files[file] = size(file);
      if (file !== spec.html) {
        total.raw += files[file].raw;
        total.gzip += files[file].gzip;
      }
    }
    totals[name] = total;
  }
  writeFileSync(join(OUT_DIR, 'sizes.json'), `${JSON.stringify({ totals, files }, null, 2)}\n`);
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  for (const [name, total] of Object.entries(totals)) {
    // stderr: this runs as the package's prepack, and `npm pack --json` must print only its JSON on stdout.
    console.error(`dashboard ${name}: ${kb(total.raw)} (${kb(total.gzip)} gzip)`);
  }
}

try {
  await main();
} catch (error) {
  console.error(`build-ui: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
