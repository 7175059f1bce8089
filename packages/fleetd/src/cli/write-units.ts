import type { WireUnitPutResult } from '../api/wire.js';
import { inOrder, REQUESTS_IN_FLIGHT } from './bounded.js';
import { apiError, UnitPutsRefused } from './client.js';
import type { UnitWrite } from './client.js';
import type { Session } from './session.js';

/** Units per `POST /fleetd/v1/units`: the daemon takes at most 1,000. */
const UNITS_PER_REQUEST = 500;
/** JSON bytes per request, well inside the daemon's default api.bodyLimitBytes (1 MiB). */
const BYTES_PER_REQUEST = 256 * 1024;
/**
 * Requests in flight at once. One: a request the daemon refuses writes nothing, and
 * none after it may have been sent, so no unit after a refused one is written, as with
 * fleet's one-by-one fleetctl. The daemon already writes each request's units in
 * shared transactions.
 */
const REQUESTS_AT_ONCE = 1;

/** How far a list of writes got: the first `written` are done; `failure` is why the next one was not. */
export interface WritesOutcome {
  readonly written: number;
  readonly failure?: Error;
}

/**
 * PUT /fleet/v1/units/{name} for each write, as fleet's fleetctl sent them one
 * after the other, with its errors; against fleetd many in one request, else
 * many in flight. After a failure no further request starts.
 */
export async function writeUnits(session: Session, writes: readonly UnitWrite[]): Promise<WritesOutcome> {
  // Two writes of one name (`submit --replace a dir/a`) must reach the daemon in order: one PUT at a time then.
  const ordered = new Set(writes.map((write) => write.name)).size !== writes.length;
  const { results, firstFailure } = await inOrder(chunksOf(writes), (chunk) => writeChunk(session, chunk, ordered), REQUESTS_AT_ONCE);
  const written = results.reduce((sum, count) => sum + count, 0);
  if (firstFailure === undefined) return { written };
  const partial = firstFailure instanceof ChunkFailure ? firstFailure : undefined;
  return { written: written + (partial?.written ?? 0), failure: partial?.error ?? firstFailure };
}

/** Part of a chunk was written before a unit failed. */
class ChunkFailure extends Error {
  constructor(
    readonly written: number,
    readonly error: Error,
  ) {
    super('a unit of the request failed');
  }
}

/** Resolves with the chunk's length when all are written; rejects with a ChunkFailure saying how many were. */
async function writeChunk(session: Session, chunk: readonly UnitWrite[], ordered: boolean): Promise<number> {
  const client = session.client();
  let answer;
  try {
    answer = await client.putUnits(chunk);
  } catch (error) {
    if (!(error instanceof UnitPutsRefused)) throw error;
    // Nothing of the chunk was written: the units before the refused one are, as fleet's fleetctl would have.
    const before = await writeUnits(session, chunk.slice(0, error.index));
    throw new ChunkFailure(before.written, before.failure ?? error.error);
  }
  if (answer === undefined) {
    const { results, firstFailure } = await inOrder(chunk, (write) => client.putUnit(write), ordered ? 1 : REQUESTS_IN_FLIGHT);
    if (firstFailure !== undefined) throw new ChunkFailure(results.length, firstFailure);
    return chunk.length;
  }
  const failed = answer.units.findIndex((result) => 'error' in result);
  if (failed !== -1) throw new ChunkFailure(failed, errorOf(answer.units[failed] as WireUnitPutResult));
  return chunk.length;
}

/** The error a unit's own PUT would have answered with. */
function errorOf(result: WireUnitPutResult): Error {
  if (!('error' in result)) return new Error(`unit ${result.name}: no error`);
  return apiError(result.error.code, JSON.stringify({ error: result.error }));
}

function chunksOf(writes: readonly UnitWrite[]): UnitWrite[][] {
  const chunks: UnitWrite[][] = [];
  let chunk: UnitWrite[] = [];
  let bytes = 0;
  for (const write of writes) {
    const size = approximateBytes(write);
    if (chunk.length > 0 && (chunk.length >= UNITS_PER_REQUEST || bytes + size > BYTES_PER_REQUEST)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(write);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** About the write's JSON size, without encoding it. */
function approximateBytes(write: UnitWrite): number {
  let bytes = 64 + write.name.length + (write.contents?.length ?? 0) * 1.2;
  for (const option of write.options ?? []) bytes += 48 + (option.section.length + option.name.length + option.value.length) * 1.2;
  return bytes;
}
