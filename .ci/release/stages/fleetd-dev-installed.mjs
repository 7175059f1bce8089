// `fleetd dev --machines 3` from the packages as npm delivers them: `npm install fleetd`
// from the registry into an empty project outside the workspace (nothing resolves through
// workspace links), then the quick start's second terminal: three machines listed, a
// unit started runs in its machine's systemd, and Ctrl-C leaves no process, cgroup or
// file behind. (Was packages/fleetd/test/dev/fleetd-dev-packed.test.ts, which packed the
// tarballs itself; the packing now happens once, in check.mjs.)
//
// The session helpers are the fleetd dev tests' own (packages/fleetd/test/dev/
// dev-session.ts: start, footprint, Ctrl-C, leftovers), loaded through tsx, so that the
// installed run and the workspace run are watched the same way.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { engineAndPeerWarnings } from '../readme.mjs';

/** What examples/units/hello.service does, in a form the test can see running. */
const HELLO_UNIT = ['[Unit]', 'Description=Hello from fleetd dev', '', '[Service]', 'ExecStart=/bin/sleep infinity', ''].join('\n');

function expectEqual(what, actual, expected) {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

async function expectOk(what, resultPromise) {
  const result = await resultPromise;
  if (result.code !== 0) throw new Error(`${what} exited with ${result.code}:\n${result.stdout}${result.stderr}`);
  return result;
}

/**
 * The dashboard fleetd dev prints, served from the installed packages (its page and every
 * file the page names ship inside @fleetd/dashboard): signing in with the printed token
 * opens it.
 */
async function expectDashboard(output, log) {
  const match = /^Dashboard: (http:\/\/[^/\s]+)\/ui\/login#token=(\S+)$/m.exec(output);
  if (match === null) throw new Error(`fleetd dev printed no dashboard address:\n${output}`);
  const origin = match[1] ?? '';
  const token = match[2] ?? '';
  const signIn = await fetch(`${origin}/ui/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
  });
  expectEqual('signing in to the dashboard', [signIn.status, signIn.headers.get('location')], [303, '/ui/']);
  const cookie = (signIn.headers.get('set-cookie') ?? '').split(';', 1)[0];
  const page = await fetch(`${origin}/ui/`, { headers: { cookie } });
  const html = await page.text();
  expectEqual('the dashboard page', page.status, 200);
  const files = [...html.matchAll(/(?:src|href)="(\/ui\/assets\/[^"]+)"/g)].map((found) => found[1] ?? '');
  if (files.length === 0) throw new Error(`the dashboard page names no script or style:\n${html}`);
  for (const file of files) expectEqual(`dashboard file ${file}`, (await fetch(`${origin}${file}`, { headers: { cookie } })).status, 200);
  log(`the dashboard at ${origin}/ui/ opens with the printed token, with its ${files.length} files`);
}

export default async function fleetdDevInstalled({ root, workDir, run, log }) {
  const { startDevSession, leftovers } = await tsImport(pathToFileURL(join(root, 'packages/fleetd/test/dev/dev-session.ts')).href, import.meta.url);
  const { waitFor } = await import(pathToFileURL(join(root, 'packages/fleet-core/dist/testing/index.js')).href);
  const app = join(workDir, 'app');
  // fleetd dev keeps systemd's sockets under its folder, and unix socket paths are short.
  const short = mkdtempSync(join(tmpdir(), 'fdev-'));
  const dir = join(short, 'cluster');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'trying-fleetd', private: true }, null, 2)}\n`);
  const installed = await run('npm', ['install', '--no-fund', '--no-audit', 'fleetd'], { cwd: app });
  const warnings = engineAndPeerWarnings(`${installed.stdout}\n${installed.stderr}`);
  if (warnings.length > 0) throw new Error(`npm install fleetd warned about engines or peers:\n${warnings.join('\n')}`);
  writeFileSync(join(app, 'hello.service'), HELLO_UNIT);

  const bin = join(app, 'node_modules', '.bin');
  const started = Date.now();
  const session = await startDevSession({ fleetctl: [join(bin, 'fleetctl')], cwd: app }, [join(bin, 'fleetd'), 'dev', '--machines', '3', '--dir', dir], dir);
  log(`fleetd dev --machines 3 ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  try {
    const env = { FLEETCTL_ENDPOINT: session.endpoint };
    const machines = await expectOk('fleetctl list-machines', session.fleetctl(['list-machines', '--no-legend', '--fields', 'machine'], env));
    expectEqual('machines', machines.stdout.trim().split('\n'), ['alpha', 'bravo', 'charlie']);

    await expectOk('fleetctl start hello.service', session.fleetctl(['start', 'hello.service'], env));
    const listed = await expectOk('fleetctl list-units', session.fleetctl(['list-units', '--no-legend', '--fields', 'unit,machine,active,sub'], env));
    const [unit, where, active, sub] = listed.stdout.trim().split(/\s+/);
    expectEqual('hello.service as fleetctl lists it', { unit, active, sub }, { unit: 'hello.service', active: 'active', sub: 'running' });
    const machine = (where ?? '').split('/')[0] ?? '';
    if (!session.runtimeDirs.has(machine)) throw new Error(`hello.service runs on ${machine}, not one of ${[...session.runtimeDirs.keys()].join(', ')}`);
    // systemd itself, not fleetd's report of it.
    await waitFor(
      async () => (await session.systemctl(machine, ['is-active', 'hello.service'])).stdout.trim() === 'active',
      `hello.service active in ${machine}'s systemd`,
      10_000,
      100,
    );
    log(`hello.service runs on ${machine}, as its systemd says`);

    await expectDashboard(session.output(), log);

    const footprint = session.footprint();
    expectEqual('fleetd dev exit code after Ctrl-C', await session.interrupt(), 0);
    expectEqual('left behind after Ctrl-C', leftovers(footprint), { pids: [], cgroups: [], dir: false, mentioning: [] });
    log(`Ctrl-C: exit 0; none of its ${footprint.pids.length} processes, ${footprint.cgroups.length} cgroups or ${dir} left`);
  } finally {
    session.kill();
    rmSync(short, { recursive: true, force: true });
  }
}
