/**
 * The README's quick start, run as written: its main job (`npm run dev`) in one
 * "terminal", the block marked `quick-start` line by line in another, with no
 * FLEETCTL_ENDPOINT (fleetctl must find the cluster itself), then Ctrl-C.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDevDir } from '../../packages/fleetd/src/dev/paths.js';
import { leftovers, runCommand, startDevSession } from '../../packages/fleetd/test/dev/dev-session.js';
import type { CommandResult, DevSession } from '../../packages/fleetd/test/dev/dev-session.js';
import { allBlocks, readDoc, REPO_ROOT } from './blocks.js';

/** The quick start's first line of shell: the command before its comment. */
function mainJob(): string {
  const readme = readDoc('README.md');
  const section = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('\n## ', readme.indexOf('## Quick start') + 1));
  const line = /^(npm run dev\b[^#\n]*)/m.exec(section)?.[1]?.trim();
  if (line === undefined) throw new Error('README.md: the quick start has no `npm run dev` line');
  return line;
}

function secondTerminal(): string[] {
  const blocks = allBlocks().filter((block) => block.file === 'README.md' && block.marker === 'quick-start');
  if (blocks.length !== 1) throw new Error(`README.md: expected one block marked <!-- docs-check: quick-start -->, found ${blocks.length}`);
  return (blocks[0]?.text ?? '').split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
}

describe('the README quick start', () => {
  const dir = defaultDevDir();
  const env = { ...process.env };
  delete env['FLEETCTL_ENDPOINT'];
  let session: DevSession | undefined;
  const results: { line: string; result: CommandResult }[] = [];

  beforeAll(async () => {
    session = await startDevSession({ fleetctl: [], cwd: REPO_ROOT }, ['/bin/sh', '-c', mainJob()], dir);
  }, 300_000);

  afterAll(() => session?.kill());

  it('runs the second terminal’s commands, each succeeding', async () => {
    for (const line of secondTerminal()) {
      const result = await runCommand(['/bin/sh', '-c', line], { cwd: REPO_ROOT, env });
      results.push({ line, result });
      expect(result, `${line}\n${result.stderr}`).toMatchObject({ code: 0 });
    }
    expect(results.map(({ line }) => line.split(' ').slice(0, 3).join(' '))).toEqual(['npx fleetctl start', 'npx fleetctl list-units']);
  });

  it('hello.service runs in the systemd of the machine fleetctl lists', async () => {
    const listing = results.at(-1)?.result.stdout ?? '';
    const row = listing.split('\n').find((line) => line.startsWith('hello.service'));
    const [, where, active, sub] = (row ?? '').split(/\s+/);
    expect({ active, sub }, listing).toEqual({ active: 'active', sub: 'running' });
    const machine = (where ?? '').split('/')[0] ?? '';
    const systemd = await session!.systemctl(machine, ['is-active', 'hello.service']);
    expect(systemd.stdout.trim(), `${machine}: ${systemd.stderr}`).toBe('active');
  });

  it('Ctrl-C in the first terminal leaves nothing behind', async () => {
    const footprint = session!.footprint();
    await session!.interrupt();
    expect(session!.output()).toContain('Stopped; nothing is left behind.');
    expect(leftovers(footprint)).toEqual({ pids: [], cgroups: [], dir: false, mentioning: [] });
  });
});
