/**
 * Compaction swaps the WAL for a new file with a rename. From that rename on
 * the old file is unlinked: an append still going to it is lost at the next
 * open. These tests swap under real faults, in a child process.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openFileRegistry } from '../../src/store/index.js';
import { useTempDirs } from './helpers.js';

const tempDir = useTempDirs();
const FIXTURE = fileURLToPath(new URL('./fixtures/checkpoint-at-fd-limit.ts', import.meta.url));
const run = promisify(execFile);

describe('file registry WAL swap', () => {
  it('regression: a write acknowledged after a checkpoint at the file descriptor limit survives a crash (it went to the unlinked old WAL)', async () => {
    const dir = tempDir();
    // A low limit so the child fills its table quickly; `exec` keeps it for node.
    const script = 'ulimit -n 64 && exec "$0" --import tsx "$1" "$2"';
    const { stdout } = await run('sh', ['-c', script, process.execPath, FIXTURE, dir]);
    expect(JSON.parse(stdout)).toEqual({ checkpoint: 'ok', put: 'ok' });
    const registry = await openFileRegistry({ dir });
    try {
      const { items } = await registry.list('');
      expect(items.map((kv) => [kv.key, kv.value])).toEqual([
        ['/after', 'acknowledged after the checkpoint'],
        ['/before', 'stored before the checkpoint'],
      ]);
    } finally {
      await registry.close();
    }
  });
});
