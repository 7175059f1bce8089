/**
 * The dashboard on the API listener (issue 20): served behind the same
 * credentials as the API, signing in with the token gives a session cookie
 * that may write only from the dashboard, and the live feed
 * (GET /fleetd/v1/events) sends a snapshot then each change.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DashChanges, DashSnapshot } from '@fleetd/dashboard';
import { DASHBOARD_CSP } from '../../src/dashboard/routes.js';
import { SESSION_SECONDS, DashboardSessions } from '../../src/dashboard/session.js';
import { EventStreamClient } from './event-stream-client.js';
import { Harness, send } from './harness.js';
import type { Response, Target } from './harness.js';

const TOKEN = 'dashboard-test-token-0123456789';
const BEARER = { authorization: `Bearer ${TOKEN}` };
const UI = { 'x-fleetd-ui': '1' };

let harness: Harness;
let tcp: Target;
beforeAll(async () => {
  harness = await Harness.start({ tcp: { token: TOKEN }, dashboard: true });
  tcp = { url: harness.server.tcpUrl };
});
afterAll(() => harness.stop());

const form = (token: string) => ({ raw: new URLSearchParams({ token }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
const cookieOf = (response: Response): string => String(response.headers['set-cookie']).split(';', 1)[0] ?? '';

async function signIn(): Promise<string> {
  const response = await send(tcp, 'POST', '/ui/login', form(TOKEN));
  expect(response.status).toBe(303);
  return cookieOf(response);
}

describe('the dashboard without credentials', () => {
  it('the dashboard page answers 401 with the sign-in form, and no data', async () => {
    const page = await send(tcp, 'GET', '/ui/');
    expect(page.status).toBe(401);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(DASHBOARD_CSP);
    expect(page.text).toMatch(/<form[^>]+action="\/ui\/login"/);
  });

  it.each([
    { name: 'the live feed', method: 'GET', path: '/fleetd/v1/events' },
    { name: "the app's script", method: 'GET', path: '/ui/assets/app.js' },
    { name: 'the units', method: 'GET', path: '/fleet/v1/units' },
    { name: 'a write', method: 'DELETE', path: '/fleet/v1/units/a.service' },
  ])('$name answers 401 as the API does', async ({ method, path }) => {
    const response = await send(tcp, method, path);
    expect(response.status).toBe(401);
    expect(response.json).toEqual({ error: { code: 401, message: 'missing bearer token: send Authorization: Bearer <token>', reason: 'API_UNAUTHORIZED' } });
  });

  it('the sign-in page itself is public', async () => {
    const page = await send(tcp, 'GET', '/ui/login');
    expect(page.status).toBe(200);
    expect(page.text).toContain('name="token"');
  });

  it('a wrong token is sent back to the sign-in page with no cookie', async () => {
    const response = await send(tcp, 'POST', '/ui/login', form('not-the-token'));
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/ui/login?error=token');
    expect(response.headers['set-cookie']).toBeUndefined();
  });

  it.each([
    { name: 'a forged signature', cookie: `fleetd_session=v1.9999999999.${'A'.repeat(43)}` },
    { name: 'garbage', cookie: 'fleetd_session=hello' },
  ])('a session cookie with $name is refused', async ({ cookie }) => {
    expect((await send(tcp, 'GET', '/fleet/v1/units', { headers: { cookie } })).status).toBe(401);
  });
});

describe('a signed-in dashboard', () => {
  it('signing in sets an HttpOnly, SameSite=Strict session cookie for 12 hours and opens the dashboard', async () => {
    const response = await send(tcp, 'POST', '/ui/login', form(TOKEN));
    expect(response.headers.location).toBe('/ui/');
    expect(String(response.headers['set-cookie'])).toMatch(
      new RegExp(`^fleetd_session=v1\\.\\d+\\.[\\w-]{43}; Path=/; Max-Age=${SESSION_SECONDS}; HttpOnly; SameSite=Strict$`),
    );
    const page = await send(tcp, 'GET', '/ui/', { headers: { cookie: cookieOf(response) } });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe(DASHBOARD_CSP);
    expect(page.headers['x-frame-options']).toBe('DENY');
  });

  it('every script and style the page names is served, gzipped when asked', async () => {
    const cookie = await signIn();
    const page = await send(tcp, 'GET', '/ui/', { headers: { cookie } });
    const assets = [...page.text.matchAll(/(?:src|href)="(\/ui\/assets\/[^"]+)"/g)].map((match) => match[1] as string);
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const path of assets) {
      const asset = await send(tcp, 'GET', path, { headers: { cookie, 'accept-encoding': 'gzip' } });
      expect([path, asset.status, asset.headers['content-encoding']]).toEqual([path, 200, 'gzip']);
    }
  });

  it('reads need only the cookie', async () => {
    const cookie = await signIn();
    expect((await send(tcp, 'GET', '/fleet/v1/units', { headers: { cookie } })).status).toBe(200);
  });

  it.each([
    { name: 'without the dashboard header', headers: {} },
    { name: 'from another origin', headers: { ...UI, origin: 'https://evil.example' } },
  ])('regression: a write under a session $name is refused (cross-site request forgery)', async ({ headers }) => {
    const cookie = await signIn();
    const before = await harness.dump();
    const response = await send(tcp, 'PUT', '/fleet/v1/units/forged.service', {
      body: { desiredState: 'launched', options: [{ section: 'Service', name: 'ExecStart', value: '/bin/sh -c id' }] },
      headers: { cookie, ...headers },
    });
    expect(response.status).toBe(403);
    expect(response.json).toEqual({
      error: {
        code: 403,
        message:
          'a dashboard session may change the cluster only from the dashboard (same origin, x-fleetd-ui header); scripts send Authorization: Bearer <token>',
        reason: 'API_UNAUTHORIZED',
      },
    });
    expect(await harness.dump()).toEqual(before);
  });

  it('a write from the dashboard itself is the API call it asks for', async () => {
    const cookie = await signIn();
    const origin = harness.server.tcpUrl as string;
    const response = await send(tcp, 'PUT', '/fleet/v1/units/from-ui.service', {
      body: { desiredState: 'inactive', options: [{ section: 'Service', name: 'ExecStart', value: '/bin/true' }] },
      headers: { cookie, origin, ...UI },
    });
    expect(response.status).toBe(201);
    expect((await send(tcp, 'DELETE', '/fleet/v1/units/from-ui.service', { headers: { cookie, origin, ...UI } })).status).toBe(204);
  });

  it('signing out clears the cookie', async () => {
    const response = await send(tcp, 'POST', '/ui/logout');
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/ui/login');
    expect(String(response.headers['set-cookie'])).toBe('fleetd_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict');
  });

  it('a session ends after 12 hours, and with a new token', () => {
    let now = Date.UTC(2026, 11, 7);
    const sessions = new DashboardSessions(TOKEN, () => now);
    const session = sessions.issue();
    expect(sessions.verify(session)).toBe(true);
    expect(new DashboardSessions('another-token', () => now).verify(session)).toBe(false);
    now += SESSION_SECONDS * 1000;
    expect(sessions.verify(session)).toBe(false);
  });
});

describe('the dashboard on other listeners and when off', () => {
  it('on the socket, whose permissions are its access control, the dashboard needs no sign-in', async () => {
    expect((await harness.request('GET', '/ui/')).status).toBe(200);
    const login = await harness.request('GET', '/ui/login');
    expect([login.status, login.headers.location]).toEqual([303, '/ui/']);
  });

  it('api.dashboard: false serves no /ui/', async () => {
    const off = await Harness.start({ dashboard: false });
    try {
      const response = await off.request('GET', '/ui/');
      expect(response.status).toBe(404);
      expect(response.json).toEqual({ error: { code: 404, message: 'no resource at /ui/', reason: 'API_ROUTE_NOT_FOUND' } });
    } finally {
      await off.stop();
    }
  });
});

describe('the live feed: GET /fleetd/v1/events', () => {
  const streams: EventStreamClient[] = [];
  afterEach(() => {
    for (const stream of streams.splice(0)) stream.stop();
  });
  async function open(target: Target = tcp, headers: Record<string, string> = BEARER): Promise<EventStreamClient> {
    const stream = await EventStreamClient.open(target, headers);
    streams.push(stream);
    return stream;
  }

  it('sends a snapshot first, as server-sent events that reconnect after a second', async () => {
    await harness.machine('feed-m1', { zone: 'a' }, '10.0.0.7');
    const stream = await open();
    expect(stream.response.statusCode).toBe(200);
    expect(stream.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const snapshot = await stream.next<DashSnapshot>('snapshot');
    expect(snapshot.machines).toContainEqual({ id: 'feed-m1', primaryIP: '10.0.0.7', metadata: { zone: 'a' }, facts: {}, units: 0 });
  });

  it('a submitted unit, its placement and its state arrive as changes', async () => {
    const stream = await open();
    await stream.next('snapshot');
    await harness.machine('feed-m2');
    await harness.submit('feed.service', 'launched', '[Service]\nExecStart=/bin/true\n[X-Fleet]\nMachineID=feed-m2\n');
    const placed = await harness.placeWithEngine('feed.service');
    await harness.report({ name: 'feed.service', machineId: placed['feed.service'] as string, activeState: 'active' });
    const running = await stream.next<DashChanges>('changes', (changes) =>
      (changes.units?.upsert ?? []).some((unit) => unit.name === 'feed.service' && unit.currentState === 'launched'),
    );
    expect(running.units?.upsert.find((unit) => unit.name === 'feed.service')).toMatchObject({ machineID: 'feed-m2', desiredState: 'launched' });
    const messages = stream.events
      .flatMap((event) => (event.event === 'changes' ? ((event.data as DashChanges).events ?? []) : []))
      .map((event) => event.message);
    expect(messages).toEqual(expect.arrayContaining(['feed.service submitted', 'feed.service placed on feed-m2', 'feed.service on feed-m2: active (running)']));
  });

  it('a unit no machine can take arrives with its one-line reason', async () => {
    const stream = await open();
    await stream.next('snapshot');
    await harness.submit('nowhere.service', 'launched', '[Service]\nExecStart=/bin/true\n[X-Fleet]\nMachineMetadata=zone=nowhere\n');
    const changes = await stream.next<DashChanges>('changes', (data) =>
      (data.units?.upsert ?? []).some((unit) => unit.name === 'nowhere.service' && unit.unschedulable !== undefined),
    );
    expect(changes.units?.upsert.find((unit) => unit.name === 'nowhere.service')?.unschedulable).toMatch(
      /^0\/\d+ machines available: \d+ metadata zone=nowhere not matched$/,
    );
    await harness.store.destroyUnit('nowhere.service');
  });

  it('a signed-in browser reads it with its cookie', async () => {
    const stream = await open(tcp, { cookie: await signIn() });
    expect(stream.response.statusCode).toBe(200);
    await stream.next('snapshot');
  });

  it('closing the server ends every stream (a restarting fleetd does not hang on its dashboards)', async () => {
    const own = await Harness.start({ tcp: { token: TOKEN }, dashboard: true });
    const stream = await open({ url: own.server.tcpUrl }, BEARER);
    await stream.next('snapshot');
    await own.stop();
    await expect(stream.next('never')).rejects.toThrow('the stream ended without a matching never event');
  });
});
