// The built assets (npm run build writes them; CI builds before testing): fleetd serves
// this folder as it is, so every file the pages name must be in it, and nothing may come
// from elsewhere (an air-gapped cluster, and the server's CSP, allow only 'self').
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_ENTRY, DASHBOARD_LOGIN, dashboardAssetsDirectory } from './index.js';

const directory = dashboardAssetsDirectory();

/** Every src= and href= of an HTML page. */
function references(html: string): string[] {
  return [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((match) => match[1]!);
}

describe('the built dashboard', () => {
  it('lives in dist/ui beside the built module', () => {
    expect(isAbsolute(directory)).toBe(true);
    expect(directory.endsWith(join('dashboard', 'dist', 'ui'))).toBe(true);
  });

  it.each([
    { name: 'the app', page: DASHBOARD_ENTRY, kinds: ['.css', '.js'] },
    { name: 'the sign-in page', page: DASHBOARD_LOGIN, kinds: ['.css', '.js'] },
  ])('$name ($page) names only files of its own, under /ui/, that exist', ({ page, kinds }) => {
    const html = readFileSync(join(directory, page), 'utf8');
    const local = references(html).filter((reference) => !reference.startsWith('data:'));
    expect(local.map((reference) => reference.slice(reference.lastIndexOf('.'))).sort()).toEqual(kinds);
    for (const reference of local) {
      expect(reference).toMatch(/^\/ui\/assets\/[\w-]+\.(js|css)$/);
      expect(existsSync(join(directory, reference.slice('/ui/'.length))), reference).toBe(true);
    }
  });

  it('has no inline script or style, which the CSP would block', () => {
    for (const page of [DASHBOARD_ENTRY, DASHBOARD_LOGIN]) {
      const html = readFileSync(join(directory, page), 'utf8');
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/<style|\sstyle=|\son\w+=/);
    }
  });

  it('names no external address in any page or asset', () => {
    const files = readdirSync(directory, { recursive: true }).map(String);
    const texts = files.filter((file) => /\.(html|js|css)$/.test(file) && statSync(join(directory, file)).isFile());
    expect(texts.length).toBeGreaterThanOrEqual(6);
    for (const file of texts) {
      const text = readFileSync(join(directory, file), 'utf8');
      // url(...) and @import in CSS, src/href in HTML: the ways a page loads something.
      expect(text, file).not.toMatch(/(?:src|href)=["']?(?:https?:)?\/\//);
      expect(text, file).not.toMatch(/url\(\s*["']?(?:https?:)?\/\//);
      expect(text, file).not.toMatch(/@import\s/);
    }
  });

  it('content-hashes the asset names, so a new build is never served from a stale cache', () => {
    const assets = readdirSync(join(directory, 'assets'));
    expect(assets.every((file) => /^(app|login)-[A-Z0-9]{8}\.(js|css)$/.test(file))).toBe(true);
  });

  it('records its sizes, raw and gzip, for the bench', () => {
    const sizes = JSON.parse(readFileSync(join(directory, 'sizes.json'), 'utf8')) as {
      totals: Record<string, { raw: number; gzip: number }>;
      files: Record<string, { raw: number; gzip: number }>;
    };
    expect(Object.keys(sizes.totals).sort()).toEqual(['app', 'login']);
    for (const [file, size] of Object.entries(sizes.files)) {
      expect(size.raw, file).toBe(statSync(join(directory, file)).size);
      expect(size.gzip, file).toBeGreaterThan(0);
      expect(size.gzip, file).toBeLessThan(size.raw);
    }
  });
});
