/**
 * A real fleetd API (startApiServer + createFleetService over the embedded
 * memory registry, fleet's plugins, real metrics) on a free loopback port,
 * seeded with one unit, one machine and one reported state so every
 * documented route has something to answer about.
 */
import { assemblePlugins, createMachine, createMemoryRegistry } from '@fleetd/core';
import { encodeMachine, encodeUnitState, KeyLayout } from '@fleetd/core/unstable';
import { fleetPreset } from '@fleetd/preset-fleet';
import { createFleetService, createMetrics, FLEETD_VERSION, startApiServer } from 'fleetd';
import type { ApiServer } from 'fleetd';

export const SEEDED_UNIT = 'hello.service';
export const SEEDED_MACHINE = 'm1';

export interface SeededApi {
  readonly url: string;
  request(method: string, path: string): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

export async function startSeededApi(): Promise<SeededApi> {
  const registry = createMemoryRegistry();
  const host = await assemblePlugins(fleetPreset());
  const metrics = createMetrics({ host });
  const service = createFleetService({ registry, host, mode: 'standalone', machineId: SEEDED_MACHINE, version: FLEETD_VERSION, agentEnabled: false, metrics });
  // Loopback only and gone when the check ends: no token, explicitly.
  const server: ApiServer = await startApiServer({
    service,
    tcp: { host: '127.0.0.1', port: 0, allowUnauthenticated: true },
    pageSize: 100,
    bodyLimitBytes: 1024 * 1024,
    dashboard: true,
  });
  const url = server.tcpUrl ?? '';
  const request = async (method: string, path: string) => {
    const withBody = method === 'PUT' || method === 'POST' || method === 'PATCH';
    const response = await fetch(url + path, {
      method,
      redirect: 'manual',
      ...(withBody ? { headers: { 'content-type': contentTypeFor(path) }, body: bodyFor(method, path) } : {}),
    });
    return { status: response.status, body: await bodyOf(response) };
  };
  const put = await request('PUT', `/fleet/v1/units/${SEEDED_UNIT}`);
  if (put.status !== 201) throw new Error(`seeding ${SEEDED_UNIT} failed: ${put.status} ${put.body}`);
  const layout = new KeyLayout();
  await registry.put(layout.machine(SEEDED_MACHINE), encodeMachine(createMachine({ id: SEEDED_MACHINE, metadata: { region: 'us-east-1' } })));
  const state = { name: SEEDED_UNIT, hash: '0', machineId: SEEDED_MACHINE, loadState: 'loaded', activeState: 'active', subState: 'running' };
  await registry.put(layout.state(SEEDED_MACHINE, SEEDED_UNIT), encodeUnitState(state));
  return {
    url,
    request,
    close: async () => {
      await service.close();
      await server.close();
    },
  };
}

/** The body, or an event stream's first event (it never ends by itself). */
async function bodyOf(response: Response): Promise<string> {
  if (!(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) return response.text();
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  let text = '';
  while (!text.includes('event: snapshot')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  await reader.cancel();
  return text;
}

function contentTypeFor(path: string): string {
  return path.startsWith('/ui/') ? 'application/x-www-form-urlencoded' : 'application/json';
}

/** A body each write route accepts, so a documented write is checked to succeed, not only to exist. */
function bodyFor(method: string, path: string): string {
  if (method === 'PUT')
    return JSON.stringify({ desiredState: 'launched', options: [{ section: 'Service', name: 'ExecStart', value: '/usr/bin/sleep infinity' }] });
  if (method === 'PATCH') return JSON.stringify([{ op: 'add', path: `/${SEEDED_MACHINE}/metadata/zone`, value: 'a' }]);
  if (path === '/ui/login') return 'token=';
  if (path === '/fleetd/v1/units') return JSON.stringify({ units: [{ name: SEEDED_UNIT, desiredState: 'launched' }] });
  if (path.endsWith('/plan')) return JSON.stringify({ units: [{ name: 'web.service', contents: '[Service]\nExecStart=/usr/bin/nginx\n' }] });
  return '{}';
}
