/**
 * Appends WAL lines with group commit: lines queued while a write (and its
 * fsync) is in flight go out together in the next one, so many concurrent
 * writers share one fsync. Each append resolves once its line is in the file
 * (and on disk, with fsync on), in queue order.
 *
 * Compaction needs the log emptied of what a snapshot now holds while writes
 * go on: `startRecording` remembers the lines appended from then on, and
 * `replaceFile` runs between two batches to start a new log holding just those.
 */
import { open, rename, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDir, TEMP_SUFFIX, WAL_FILE } from './files.js';

interface Entry {
  /** '' for a waiter that only wants everything before it flushed. */
  readonly line: string;
  readonly recorded: boolean;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export class WalWriter {
  private queue: Entry[] = [];
  private draining = false;
  private failure: unknown;
  private recording = false;
  private recorded: string[] = [];
  private pendingTask: { run: () => Promise<void>; resolve: () => void; reject: (e: unknown) => void } | undefined;
  /** Bytes in the current log file. */
  bytes: number;

  private constructor(
    private readonly dir: string,
    private handle: FileHandle,
    private readonly fsync: boolean,
  ) {
    this.bytes = 0;
  }

  /** Starts an empty log (truncating what was there: the caller has just snapshotted it). */
  static async create(dir: string, fsync: boolean): Promise<WalWriter> {
    const handle = await open(join(dir, WAL_FILE), 'w', 0o600);
    try {
      if (fsync) await handle.sync();
      await handle.close();
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
    return new WalWriter(dir, await open(join(dir, WAL_FILE), 'a', 0o600), fsync);
  }

  append(line: string): Promise<void> {
    return new Promise((resolve, reject) => {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the first failure, passed on as it was caught
      if (this.failure !== undefined) return reject(this.failure);
      this.queue.push({ line, recorded: this.recording, resolve, reject });
      this.kick();
    });
  }

  /** Resolves when every line appended before this call is written. */
  flushed(): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the first failure, passed on as it was caught
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (!this.draining && this.queue.length === 0) return Promise.resolve();
    return this.append('');
  }

  startRecording(): void {
    this.recording = true;
    this.recorded = [];
  }

  /**
   * Between two batches, replaces the log with one holding only the lines
   * appended since `startRecording` (atomically: a crash leaves the old log or
   * the new one), then appends go to the new file.
   */
  replaceFile(): Promise<void> {
    return new Promise((resolve, reject) => {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the first failure, passed on as it was caught
      if (this.failure !== undefined) return reject(this.failure);
      this.pendingTask = { run: () => this.swap(), resolve, reject };
      this.kick();
    });
  }

  async close(): Promise<void> {
    await this.flushed().catch(() => undefined);
    await this.handle.close().catch(() => undefined);
  }

  private kick(): void {
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.failure === undefined && (this.queue.length > 0 || this.pendingTask !== undefined)) {
        const task = this.pendingTask;
        this.pendingTask = undefined;
        if (task !== undefined) await this.runTask(task);
        const batch = this.queue;
        this.queue = [];
        if (batch.length > 0) await this.writeBatch(batch);
      }
    } finally {
      this.draining = false;
    }
  }

  private async runTask(task: NonNullable<WalWriter['pendingTask']>): Promise<void> {
    try {
      await task.run();
      task.resolve();
    } catch (error) {
      // A swap that failed before its rename leaves the old log in place and complete: writes go on.
      // (One that failed after it has failed the writer: see syncRename.)
      this.recording = false;
      task.reject(error);
    }
  }

  private async writeBatch(batch: readonly Entry[]): Promise<void> {
    const text = batch.map((entry) => entry.line).join('');
    try {
      if (text !== '') {
        await writeAll(this.handle, Buffer.from(text, 'utf8'));
        if (this.fsync) await this.handle.datasync();
        this.bytes += Buffer.byteLength(text, 'utf8');
      }
    } catch (error) {
      // The log's end is now unknown; nothing more may be acknowledged.
      this.fail(error, batch);
      return;
    }
    for (const entry of batch) {
      if (entry.recorded && entry.line !== '') this.recorded.push(entry.line);
      entry.resolve();
    }
  }

  private async swap(): Promise<void> {
    const text = this.recorded.join('');
    const temp = join(this.dir, WAL_FILE + TEMP_SUFFIX);
    const next = await open(temp, 'w', 0o600);
    try {
      await writeAll(next, Buffer.from(text, 'utf8'));
      if (this.fsync) await next.sync();
      await rename(temp, join(this.dir, WAL_FILE));
    } catch (error) {
      await next.close().catch(() => undefined);
      throw error;
    }
    // From the rename on, the new file IS the log and the old one is unlinked:
    // appends must go to the new file whatever fails next, or they would be lost.
    // The handle was opened for writing at offset 0 and holds exactly `text`: appends continue after it.
    const old = this.handle;
    this.handle = next;
    this.bytes = Buffer.byteLength(text, 'utf8');
    this.recording = false;
    this.recorded = [];
    await old.close().catch(() => undefined);
    if (this.fsync) await this.syncRename();
  }

  /** Without the directory synced a power loss may bring the old log back, losing what is appended now: stop. */
  private async syncRename(): Promise<void> {
    try {
      await syncDir(this.dir);
    } catch (error) {
      this.fail(error, []);
      throw error;
    }
  }

  /** Nothing more may be acknowledged: every line not yet acknowledged is refused. */
  private fail(error: unknown, batch: readonly Entry[]): void {
    this.failure = error;
    for (const entry of [...batch, ...this.queue.splice(0)]) entry.reject(error);
    this.pendingTask?.reject(error);
    this.pendingTask = undefined;
  }
}

async function writeAll(handle: FileHandle, buffer: Buffer): Promise<void> {
  let offset = 0;
  while (offset < buffer.length) {
    const { bytesWritten } = await handle.write(buffer, offset, buffer.length - offset);
    offset += bytesWritten;
  }
}
