/** What the store keeps across close and reopen, and how it treats damaged files. */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, type Registry } from '@fleetd/core';
import { waitFor } from '@fleetd/core/testing';
import { describe, expect, it } from 'vitest';
import { openFileRegistry, SNAPSHOT_FILE, WAL_FILE, type FileRegistry } from '../../src/store/index.js';
import { expectFleetError, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

async function contents(registry: Registry): Promise<Record<string, string>> {
  const { items } = await registry.list('');
  return Object.fromEntries(items.map((kv) => [kv.key, kv.value]));
}

async function reopen(registry: FileRegistry): Promise<FileRegistry> {
  await registry.close();
  return openFileRegistry({ dir: registry.dir });
}

function walLines(dir: string): string[] {
  return readFileSync(join(dir, WAL_FILE), 'utf8')
    .split('\n')
    .filter((line) => line !== '');
}

function snapshotSeq(dir: string): number {
  const header = readFileSync(join(dir, SNAPSHOT_FILE), 'utf8').split('\n')[0] ?? '';
  return (JSON.parse(`${header}]}`) as { seq: number }).seq;
}

describe('file registry persistence', () => {
  it('keeps keys and values across close and reopen', async () => {
    const first = await openFileRegistry({ dir: tempDir() });
    await first.put('/a', '1');
    await first.put('/b', 'héllo 😀\n');
    await first.put('/a', '2');
    const second = await reopen(first);
    expect(await contents(second)).toEqual({ '/a': '2', '/b': 'héllo 😀\n' });
    await second.close();
  });

  it('creates the data directory with mode 0700', async () => {
    const dir = join(tempDir(), 'nested', 'data');
    await (await openFileRegistry({ dir })).close();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('forgets leased keys, as if their leases had expired', async () => {
    const first = await openFileRegistry({ dir: tempDir() });
    const lease = await first.grantLease(60);
    await first.put('/persisted', 'p');
    await first.put('/leased', 'l', { lease });
    const second = await reopen(first);
    expect(await contents(second)).toEqual({ '/persisted': 'p' });
    await second.close();
  });

  it('a put with a lease over a persisted key persists its deletion', async () => {
    const first = await openFileRegistry({ dir: tempDir() });
    const lease = await first.grantLease(60);
    await first.put('/k', 'persisted');
    await first.put('/k', 'leased', { lease });
    const second = await reopen(first);
    expect(await contents(second)).toEqual({});
    await second.close();
  });

  it('a put without a lease over a leased key persists it', async () => {
    const first = await openFileRegistry({ dir: tempDir() });
    const lease = await first.grantLease(60);
    await first.put('/k', 'leased', { lease });
    await first.put('/k', 'detached');
    await first.revokeLease(lease);
    const second = await reopen(first);
    expect(await contents(second)).toEqual({ '/k': 'detached' });
    await second.close();
  });

  it('persists deletePrefix and both txn branches', async () => {
    const first = await openFileRegistry({ dir: tempDir() });
    await first.put('/dir/a', '1');
    await first.put('/dir/b', '2');
    await first.put('/dirt', 'kept');
    await first.put('/x', 'old');
    await first.deletePrefix('/dir/');
    await first.txn({
      compare: [{ key: '/x', target: 'value', op: '==', value: 'old' }],
      success: [
        { type: 'put', key: '/x', value: 'new' },
        { type: 'put', key: '/y', value: 'y' },
      ],
      failure: [{ type: 'put', key: '/lost', value: 'no' }],
    });
    await first.txn({
      compare: [{ key: '/x', target: 'value', op: '==', value: 'old' }],
      success: [{ type: 'put', key: '/lost', value: 'no' }],
      failure: [
        { type: 'delete', key: '/y' },
        { type: 'put', key: '/z', value: 'z' },
      ],
    });
    const second = await reopen(first);
    expect(await contents(second)).toEqual({ '/dirt': 'kept', '/x': 'new', '/z': 'z' });
    await second.close();
  });

  it('records one WAL line per revision that changed persisted keys, and none for leased or no-op writes', async () => {
    const registry = await openFileRegistry({ dir: tempDir() });
    const lease = await registry.grantLease(60);
    const { revision } = await registry.put('/a', '1');
    await registry.put('/leased', 'l', { lease });
    await registry.delete('/missing');
    await registry.deletePrefix('/leased');
    await registry.txn({ success: [{ type: 'get', key: '/a' }] });
    const lines = walLines(registry.dir);
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([{ seq: 1, rev: revision, ops: [['put', '/a', '1']] }]);
    await registry.close();
  });

  it('replays the WAL written before a crash (no snapshot taken since)', async () => {
    const dir = tempDir();
    const first = await openFileRegistry({ dir });
    await first.put('/a', '1');
    await first.put('/b', '2');
    await first.delete('/a');
    // Keep the files as a crash would leave them: the WAL holds the writes, the snapshot does not.
    const wal = readFileSync(join(dir, WAL_FILE), 'utf8');
    const snapshot = readFileSync(join(dir, SNAPSHOT_FILE), 'utf8');
    await first.close();
    writeFileSync(join(dir, WAL_FILE), wal);
    writeFileSync(join(dir, SNAPSHOT_FILE), snapshot);
    const second = await openFileRegistry({ dir });
    expect(second.recovery).toEqual({ keys: 1, walRecords: 3, droppedTornRecord: false });
    expect(await contents(second)).toEqual({ '/b': '2' });
    // Reopening wrote a fresh snapshot and emptied the WAL.
    expect(readFileSync(join(dir, WAL_FILE), 'utf8')).toBe('');
    await second.close();
  });

  it.each([
    { name: 'half a record without its newline', tail: '{"seq":2,"rev":3,"ops":[["put","/b"' },
    { name: 'a garbled last line', tail: '\u0000\u0000\u0000\n' },
  ])('drops a torn last WAL line: $name', async ({ tail }) => {
    const dir = tempDir();
    writeFileSync(join(dir, WAL_FILE), `{"seq":1,"rev":2,"ops":[["put","/a","1"]]}\n${tail}`);
    const registry = await openFileRegistry({ dir });
    expect(registry.recovery).toEqual({ keys: 1, walRecords: 1, droppedTornRecord: true });
    expect(await contents(registry)).toEqual({ '/a': '1' });
    expect(readFileSync(join(dir, WAL_FILE), 'utf8')).toBe('');
    await registry.close();
  });

  it('skips WAL records the snapshot already holds (a crash between snapshot and WAL swap)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, SNAPSHOT_FILE), '{"format":"fleetd-store","version":1,"seq":2,"count":1,"items":[\n["/a","2"]\n]}\n');
    writeFileSync(
      join(dir, WAL_FILE),
      ['{"seq":1,"rev":2,"ops":[["put","/a","1"]]}', '{"seq":2,"rev":3,"ops":[["put","/a","2"]]}', '{"seq":3,"rev":4,"ops":[["put","/b","3"]]}', ''].join('\n'),
    );
    const registry = await openFileRegistry({ dir });
    expect(await contents(registry)).toEqual({ '/a': '2', '/b': '3' });
    expect(registry.recovery.walRecords).toBe(1);
    await registry.close();
  });

  const RECORD = (seq: number): string => `{"seq":${seq},"rev":${seq + 1},"ops":[["put","/k${seq}","v"]]}`;

  it.each([
    {
      name: 'a corrupt line before the last',
      wal: [RECORD(1), 'garbage', RECORD(2)],
      message: (dir: string) => `${dir}/store.wal:2: not a WAL record`,
    },
    {
      name: 'a record of the wrong shape',
      wal: [RECORD(1), '{"seq":2,"rev":3,"ops":[["put","/k"]]}', RECORD(3)],
      message: (dir: string) => `${dir}/store.wal:2: not a WAL record`,
    },
    {
      name: 'a missing record',
      wal: [RECORD(1), RECORD(3)],
      message: (dir: string) => `${dir}/store.wal:2: record 3 does not follow record 1`,
    },
    {
      name: 'records missing after the snapshot',
      wal: [RECORD(4)],
      message: (dir: string) => `${dir}/store.wal:1: record 4 does not follow the snapshot, which ends at record 0`,
    },
  ])('refuses a WAL with $name', async ({ wal, message }) => {
    const dir = tempDir();
    writeFileSync(join(dir, WAL_FILE), wal.join('\n') + '\n');
    const error = await expectFleetError(openFileRegistry({ dir }), ErrorCodes.DATA_DIR_INVALID);
    expect(error.message).toBe(message(dir));
    // Nothing was rewritten: the damaged file is still there for a person to look at.
    expect(readFileSync(join(dir, WAL_FILE), 'utf8')).toBe(wal.join('\n') + '\n');
  });

  it.each([
    { name: 'an empty file', text: '', message: ':1: not a fleetd store snapshot header' },
    { name: 'not JSON', text: 'hello\n', message: ':1: not a fleetd store snapshot header' },
    {
      name: 'a damaged entry',
      text: '{"format":"fleetd-store","version":1,"seq":0,"count":2,"items":[\n["/a","1"],\n["/b",2]\n]}\n',
      message: ':3: not a snapshot entry',
    },
    {
      name: 'a file cut short',
      text: '{"format":"fleetd-store","version":1,"seq":0,"count":2,"items":[\n["/a","1"],\n',
      message: ':2: the snapshot ends early (no closing "]}")',
    },
    {
      name: 'a wrong count',
      text: '{"format":"fleetd-store","version":1,"seq":0,"count":2,"items":[\n["/a","1"]\n]}\n',
      message: ': holds 1 keys but its header says 2',
    },
  ])('refuses a snapshot that is $name', async ({ text, message }) => {
    const dir = tempDir();
    writeFileSync(join(dir, SNAPSHOT_FILE), text);
    const error = await expectFleetError(openFileRegistry({ dir }), ErrorCodes.DATA_DIR_INVALID);
    expect(error.message).toBe(`${dir}/store.snapshot.json${message}`);
  });

  it('compacts once the WAL passes compactAfterBytes and keeps everything', async () => {
    const dir = tempDir();
    const first = await openFileRegistry({ dir, compactAfterBytes: 2048 });
    const expected: Record<string, string> = {};
    await Promise.all(
      Array.from({ length: 300 }, (_, i) => {
        expected[`/k/${i % 50}`] = `value ${i}`;
        return first.put(`/k/${i % 50}`, `value ${i}`);
      }),
    );
    for (let i = 0; i < 100; i++) {
      if (i % 3 === 0) {
        // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- a plain record of what the store should hold
        delete expected[`/k/${i % 50}`];
        await first.delete(`/k/${i % 50}`);
      } else {
        expected[`/k/${i % 50}`] = `again ${i}`;
        await first.put(`/k/${i % 50}`, `again ${i}`);
      }
    }
    // Compaction ran on its own: the snapshot moved past the empty one written at open.
    await waitFor(() => snapshotSeq(dir) > 0, 'an automatic compaction');
    const second = await reopen(first);
    expect(await contents(second)).toEqual(expected);
    await second.close();
  });

  it('checkpoint leaves an empty WAL and a snapshot holding every key', async () => {
    const dir = tempDir();
    const registry = await openFileRegistry({ dir });
    await registry.put('/a', '1');
    await registry.put('/b', '2');
    await registry.checkpoint();
    expect(readFileSync(join(dir, WAL_FILE), 'utf8')).toBe('');
    expect(readFileSync(join(dir, SNAPSHOT_FILE), 'utf8')).toBe(
      '{"format":"fleetd-store","version":1,"seq":2,"count":2,"items":[\n["/a","1"],\n["/b","2"]\n]}\n',
    );
    // Appends after a checkpoint go to the new WAL and replay on top of the snapshot.
    await registry.put('/c', '3');
    expect(walLines(dir)).toEqual(['{"seq":3,"rev":4,"ops":[["put","/c","3"]]}']);
    const again = await reopen(registry);
    expect(await contents(again)).toEqual({ '/a': '1', '/b': '2', '/c': '3' });
    await again.close();
  });

  it('a read waits until earlier writes are durable, and sees them', async () => {
    const registry = await openFileRegistry({ dir: tempDir() });
    const write = registry.put('/a', '1');
    const read = registry.get('/a');
    let written = false;
    void write.then(() => (written = true));
    const kv = await read;
    expect(written).toBe(true);
    expect(kv?.value).toBe('1');
    await registry.close();
  });

  it('rejects calls after close with REGISTRY_CLOSED', async () => {
    const registry = await openFileRegistry({ dir: tempDir() });
    await registry.close();
    await expectFleetError(registry.put('/a', '1'), ErrorCodes.REGISTRY_CLOSED);
    await expectFleetError(registry.get('/a'), ErrorCodes.REGISTRY_CLOSED);
    await registry.close();
  });

  it.each([
    { name: 'an empty dir', options: { dir: '' }, code: ErrorCodes.DATA_DIR_INVALID, message: 'the data directory must be a non-empty path' },
    {
      name: 'a zero compactAfterBytes',
      options: { dir: '/tmp/x', compactAfterBytes: 0 },
      code: ErrorCodes.REGISTRY_INVALID_ARGUMENT,
      message: 'compactAfterBytes must be a positive integer, got 0',
    },
  ])('refuses bad options: $name', async ({ options, code, message }) => {
    const error = await expectFleetError(openFileRegistry(options), code);
    expect(error.message).toBe(message);
  });
});
