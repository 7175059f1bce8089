/**
 * The dashboard in a real browser: Debian's chromium, headless, driven by
 * playwright-core, against the end-to-end suite's real cluster (one etcd, three
 * fleetd daemons, a systemd user instance each), changed through fleetctl as an
 * operator would. Elements are found by role and accessible name, as a screen
 * reader finds them (docs: the dashboard contract's "Accessible names").
 *
 * One cluster and one signed-in page for the whole file, in order: the tests
 * build on what the earlier ones started, the fleetd restart and the power cut
 * come last. The run writes a screenshot of every view to docs/images/.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '@fleetd/core/testing';
import { startDemoCluster } from '../src/index.js';
import type { LocalCluster, LocalMachine } from '../src/index.js';
import { launchChromium } from './browser.js';

const EXAMPLE_UNITS = fileURLToPath(new URL('../../units/', import.meta.url));
const IMAGES = fileURLToPath(new URL('../../../docs/images/', import.meta.url));
const VIEWPORT = { width: 1280, height: 800 };
/** How long the page may take to show what the cluster already did (a machine's TTL is 3 s). */
const SHOWS_MS = 15_000;

const scratch = mkdtempSync('/tmp/fleetd-dashboard-units-');
let cluster: LocalCluster;
let browser: Browser;
let page: Page;
/** The machine whose fleetd the browser talks to: never the one the power cut takes. */
let viewer: LocalMachine;

/** Why the cluster, the browser or the signed-in page did not come up: every test fails with it (a failed beforeAll would mark them skipped). */
let setupFailure: Error | undefined;

beforeAll(async () => {
  try {
    await setUp();
  } catch (error) {
    setupFailure = error instanceof Error ? error : new Error(String(error));
  }
});
beforeEach(() => {
  if (setupFailure !== undefined) throw setupFailure;
});
afterAll(async () => {
  await browser?.close();
  await cluster?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

async function setUp(): Promise<void> {
  // The browser starts while the cluster does: the file's time is the slower of the two.
  const [started, launched] = await Promise.allSettled([startDemoCluster({ tcpApi: true, ttlSeconds: 3 }), launchChromium()]);
  if (launched.status === 'fulfilled') browser = launched.value;
  if (started.status === 'fulfilled') cluster = started.value;
  if (started.status === 'rejected') throw started.reason;
  if (launched.status === 'rejected') throw launched.reason;
  viewer = cluster.machine('alpha');
  page = await browser.newPage({ viewport: VIEWPORT, colorScheme: 'light' });
  recordPageActivity(page);
  await page.goto(cluster.dashboardUrl(viewer));
  await page.waitForURL(`${apiUrl(viewer)}/ui/**`);
  await waitLive();
  // A cluster worth looking at: one web server per machine, a database that wants an SSD, a monitor on every machine.
  const examples = await cluster.fleetctl(['start', '--no-block', 'web@1.service', 'web@2.service', 'web@3.service', 'db.service', 'monitor.service'], {
    cwd: EXAMPLE_UNITS,
  });
  if (examples.code !== 0) throw new Error(`fleetctl start of the example units failed: ${examples.stderr}`);
}

function apiUrl(machine: LocalMachine): string {
  if (machine.apiUrl === undefined) throw new Error(`machine ${machine.spec.id} has no TCP API: start the cluster with tcpApi: true`);
  return machine.apiUrl;
}

/** The API as a client holding the token sees it, on the browser's fleetd. */
async function api(path: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${apiUrl(viewer)}${path}`, { headers: { authorization: `Bearer ${cluster.apiToken ?? ''}` } });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

interface ApiUnit {
  readonly currentState?: string;
  readonly machineID?: string;
}
interface ApiState {
  readonly name: string;
  readonly machineID: string;
  readonly systemdActiveState: string;
  readonly systemdSubState: string;
}
interface ApiExplanation {
  readonly summary: string;
  readonly placedOn?: string;
  readonly bestMachine?: string;
  readonly machines: readonly { machine: string; verdicts: readonly { plugin: string; verdict: string; message?: string }[] }[];
}

/** The unit states agents report on `machine`. */
async function statesOn(machine: string): Promise<ApiState[]> {
  return ((await api(`/fleet/v1/state?machineID=${encodeURIComponent(machine)}`)).body as { states?: ApiState[] }).states ?? [];
}

const fleetctl = (...args: string[]) => cluster.fleetctl(args, { cwd: scratch });
const sleeper = (extra = '') => `[Service]\nExecStart=/bin/sleep 1000\n${extra}`;
function unitFile(name: string, contents: string): void {
  writeFileSync(join(scratch, name), contents);
}

/** Opens a view by its address (hash routing: the page and its live feed stay). */
async function open(hash: string): Promise<void> {
  await page.goto(`${apiUrl(viewer)}/ui/#${hash}`);
}

const liveStatus = (): Locator => page.getByRole('status').filter({ hasText: /^\s*live\s*$/ });
/** Waits until the page's feed is live; a timeout says what the page, its feed requests and its fleetd showed. */
const waitLive = (): Promise<void> => shown(liveStatus(), 'the live status');

/** The page's feed requests, failures and console errors, newest last: what a failed wait reports. */
const pageActivity: string[] = [];
function recordPageActivity(on: Page): void {
  const started = Date.now();
  const note = (line: string) => {
    pageActivity.push(`+${Date.now() - started} ms ${line}`);
    if (pageActivity.length > 30) pageActivity.shift();
  };
  on.on('request', (request) => {
    if (request.url().includes('/fleetd/v1/events')) note(`feed request`);
  });
  on.on('response', (response) => {
    if (response.url().includes('/fleetd/v1/events')) note(`feed answered ${response.status()}`);
  });
  on.on('requestfailed', (request) => note(`${request.method()} ${new URL(request.url()).pathname} failed: ${request.failure()?.errorText ?? 'unknown'}`));
  on.on('console', (message) => {
    if (message.type() === 'error') note(`console error: ${message.text()}`);
  });
  on.on('framenavigated', (frame) => {
    if (frame === on.mainFrame()) note(`navigated to ${frame.url()}`);
  });
}

/** Waits for `locator`; a timeout names `what` and says what the page and its fleetd showed then. */
async function shown(locator: Locator, what: string, timeout = SHOWS_MS): Promise<void> {
  try {
    await locator.waitFor({ timeout });
  } catch (error) {
    throw new Error(`${what} not shown within ${timeout} ms\n${await diagnosis()}`, { cause: error });
  }
}

async function diagnosis(): Promise<string> {
  const status = await page
    .getByRole('status')
    .first()
    .innerText({ timeout: 1000 })
    .catch((error: unknown) => `(none: ${String(error)})`);
  const machines = await api('/fleet/v1/machines').catch((error: unknown) => ({ status: 0, body: String(error) }));
  return [
    `page: ${page.url()}, status: ${status}`,
    `the API's machines: ${machines.status} ${JSON.stringify(machines.body)}`,
    'page activity:',
    ...pageActivity,
    `${viewer.spec.id}'s fleetd printed:`,
    ...viewer.fleetd.output().trimEnd().split('\n').slice(-20),
  ].join('\n');
}
const heading = (name: string): Locator => page.getByRole('heading', { level: 1, name, exact: true });
const table = (name: string): Locator => page.getByRole('table', { name, exact: true }).or(page.getByRole('grid', { name, exact: true }));
const unitsTable = (): Locator => table('Units');
/** The row of a table whose cells include a link named `name`. */
const rowWithLink = (within: Locator, name: string): Locator => within.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });

/** The cell of `row` under the column headed `column` (by position: a row's cells are its children). */
async function cellOf(within: Locator, row: Locator, column: string): Promise<Locator> {
  const headers = (await within.getByRole('columnheader').allInnerTexts()).map((text) => text.trim());
  const index = headers.findIndex((text) => text.startsWith(column));
  if (index === -1) throw new Error(`no column ${column} in a table headed ${headers.join(', ')}`);
  return row.locator(':scope > *').nth(index);
}

/** Waits until the units table shows `unit` with its `column` cell matching `text`. */
async function unitCellShows(unit: string, column: string, text: RegExp, timeout = SHOWS_MS): Promise<void> {
  const units = unitsTable();
  await rowWithLink(units, unit).waitFor({ timeout });
  const cell = await cellOf(units, rowWithLink(units, unit), column);
  await cell.filter({ hasText: text }).waitFor({ timeout });
}

async function screenshot(view: string): Promise<void> {
  mkdirSync(IMAGES, { recursive: true });
  await page.screenshot({ path: join(IMAGES, `dashboard-${view}.png`) });
}

/**
 * In the page: the time (ms since the epoch, the host's clock) at which the units
 * table shows `unit` with Current `launched`; false until then. Polled every
 * animation frame by waitForFunction, so the time is within a frame of the render.
 */
function launchedShownAt(unit: string): number | false {
  interface Node {
    readonly textContent: string | null;
    readonly children: ArrayLike<Node>;
    querySelectorAll(selector: string): ArrayLike<Node>;
  }
  const text = (node: Node | undefined): string => (node?.textContent ?? '').trim();
  const document = (globalThis as unknown as { document: Node }).document;
  for (const grid of Array.from(document.querySelectorAll('table, [role=grid], [role=table]'))) {
    const column = Array.from(grid.querySelectorAll('th, [role=columnheader]')).findIndex((header) => text(header).startsWith('Current'));
    if (column === -1) continue;
    for (const row of Array.from(grid.querySelectorAll('tr, [role=row]'))) {
      const cells = Array.from(row.children);
      if (cells.some((cell) => text(cell) === unit) && text(cells[column]) === 'launched') return Date.now();
    }
  }
  return false;
}

/** What has the keyboard focus, and whether it is drawn (an outline or a ring). */
const FOCUSED = `(() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const style = getComputedStyle(element);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  return { text: (element.textContent || '').trim(), role: element.tagName.toLowerCase(), inMainNav: element.closest('nav[aria-label="Main"]') !== null, drawn: outline || style.boxShadow !== 'none' };
})()`;
interface Focused {
  readonly text: string;
  readonly role: string;
  readonly inMainNav: boolean;
  readonly drawn: boolean;
}

describe('the dashboard in chromium, on a three-machine cluster', () => {
  it('the machines appear in the overview, with their metadata', async () => {
    await open('/');
    await heading('Cluster').waitFor({ timeout: SHOWS_MS });
    const machines = table('Machines');
    for (const id of ['alpha', 'bravo', 'charlie']) await rowWithLink(machines, id).waitFor({ timeout: SHOWS_MS });
    expect(await rowWithLink(machines, 'bravo').innerText()).toMatch(/zone\W+b/);
    expect(await rowWithLink(machines, 'charlie').innerText()).toMatch(/disk\W+hdd/);
  });

  // The "within a second", measured where it can be meant: from the moment
  // the API (the same fleetd, same mirror) reports the unit launched to the moment the
  // page shows it. systemd's start time is not the dashboard's to answer for. The page
  // takes the time itself each animation frame, and the API is polled every 25 ms
  // (which can only make the measured delay shorter by up to that). The feed batches
  // changes at most every 100 ms; 1 s leaves room for a 2-core CI machine that also
  // runs etcd, three fleetd, three systemd and chromium.
  it('a unit started with fleetctl shows as launched within a second of the API, and runs in its view', async () => {
    await open('/units');
    await heading('Units').waitFor({ timeout: SHOWS_MS });
    const [shownAt, apiSaw, started] = await Promise.all([
      page.waitForFunction(launchedShownAt, 'hello.service', { polling: 'raf', timeout: 30_000 }).then(async (handle) => (await handle.jsonValue()) as number),
      waitFor(
        async () => (((await api('/fleet/v1/units/hello.service')).body as ApiUnit | undefined)?.currentState === 'launched' ? Date.now() : undefined),
        'hello.service launched in the API',
        30_000,
        25,
      ),
      cluster.fleetctl(['start', 'hello.service'], { cwd: EXAMPLE_UNITS }),
    ]);
    expect(started).toMatchObject({ code: 0 });
    expect(shownAt - apiSaw, 'ms from the API showing hello.service launched to the page showing it').toBeLessThanOrEqual(1000);

    const machine = ((await api('/fleet/v1/units/hello.service')).body as ApiUnit).machineID as string;
    await unitCellShows('hello.service', 'Machine', new RegExp(`\\b${machine}\\b`));
    await rowWithLink(unitsTable(), 'hello.service').getByRole('link', { name: 'hello.service', exact: true }).click();
    await heading('hello.service').waitFor({ timeout: SHOWS_MS });
    expect(await page.getByLabel('Unit file', { exact: true }).innerText()).toContain('hello from %H');
    const states = table('States');
    await states.getByRole('row').filter({ hasText: machine }).filter({ hasText: 'running' }).waitFor({ timeout: SHOWS_MS });
  });

  it('a unit no machine can take shows its reason in the overview, and the explain table in its view', async () => {
    unitFile('nowhere.service', sleeper('\n[X-Fleet]\nMachineMetadata=zone=nowhere\n'));
    expect(await fleetctl('start', '--no-block', 'nowhere.service')).toMatchObject({ code: 0 });
    const explanation = await waitFor(
      async () => {
        const { status, body } = await api('/fleetd/v1/units/nowhere.service/explanation');
        const explanation = body as ApiExplanation;
        return status === 200 && explanation.machines.length === 3 ? explanation : undefined;
      },
      'the explanation of nowhere.service',
      SHOWS_MS,
      100,
    );
    expect(explanation.summary).toMatch(/^0\/3 machines available/);

    await open('/');
    const unschedulable = page.getByRole('list', { name: 'Unschedulable units', exact: true });
    const item = unschedulable.getByRole('listitem').filter({ has: page.getByRole('link', { name: 'nowhere.service', exact: true }) });
    await item.filter({ hasText: explanation.summary }).waitFor({ timeout: SHOWS_MS });

    await item.getByRole('link', { name: 'nowhere.service', exact: true }).click();
    await heading('nowhere.service').waitFor({ timeout: SHOWS_MS });
    await page.getByRole('alert').filter({ hasText: explanation.summary }).waitFor({ timeout: SHOWS_MS });
    const explain = table('Explanation');
    await explain.waitFor({ timeout: SHOWS_MS });
    const verdicts = explanation.machines.flatMap((machine) => machine.verdicts.map((verdict) => ({ machine: machine.machine, ...verdict })));
    // One row per machine and plugin, under the header row.
    await waitFor(async () => (await explain.getByRole('row').count()) - 1 >= verdicts.length, `${verdicts.length} explanation rows`, SHOWS_MS, 100);
    const text = await explain.innerText();
    for (const id of ['alpha', 'bravo', 'charlie']) expect(text).toContain(id);
    for (const verdict of verdicts) if (verdict.message !== undefined) expect(text).toContain(verdict.message);
    expect(text).toMatch(/zone=nowhere/);
  });

  it("a placed unit's explain table marks the chosen machine and where it is placed", async () => {
    const explainDb = async (): Promise<ApiExplanation | undefined> =>
      (await api('/fleetd/v1/units/db.service/explanation')).body as ApiExplanation | undefined;
    await waitFor(async () => (await explainDb())?.placedOn, 'db.service placed', SHOWS_MS, 100);
    await open(`/units/${encodeURIComponent('db.service')}`);
    await heading('db.service').waitFor({ timeout: SHOWS_MS });
    const explain = table('Explanation');
    const chosen = explain.locator('[aria-current="true"]');
    await chosen.first().waitFor({ timeout: SHOWS_MS });
    // Asked after the page asked: the best machine follows the cluster's load.
    const explanation = (await explainDb()) as ApiExplanation;
    for (const row of await chosen.all()) expect(await row.innerText()).toContain(explanation.bestMachine);
    expect(await explain.innerText()).toMatch(/chosen/);
    await explain
      .getByRole('row')
      .filter({ hasText: explanation.placedOn ?? 'nowhere' })
      .filter({ hasText: 'placed here' })
      .first()
      .waitFor({ timeout: SHOWS_MS });
    // charlie has an HDD: the table gives the reasons the API gives for it.
    const refusals = explanation.machines.find((machine) => machine.machine === 'charlie')?.verdicts.flatMap((verdict) => verdict.message ?? []) ?? [];
    expect(refusals.length).toBeGreaterThan(0);
    const text = await explain.innerText();
    for (const message of refusals) expect(text).toContain(message);
  });

  it("a machine's view shows its metadata and the units the API places on it", async () => {
    const onBravo = await statesOn('bravo');
    await open('/');
    await rowWithLink(table('Machines'), 'bravo').getByRole('link', { name: 'bravo', exact: true }).click();
    await heading('bravo').waitFor({ timeout: SHOWS_MS });
    const metadata = table('Metadata');
    await metadata
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: 'zone', exact: true }).or(page.getByRole('cell', { name: 'zone', exact: true })) })
      .filter({ has: page.getByRole('cell', { name: 'b', exact: true }) })
      .waitFor({ timeout: SHOWS_MS });
    const units = table('Units on bravo');
    await units.waitFor({ timeout: SHOWS_MS });
    expect(onBravo.length).toBeGreaterThan(0);
    for (const state of onBravo) await units.getByRole('row').filter({ hasText: state.name }).first().waitFor({ timeout: SHOWS_MS });
  });

  it('a plan of a pasted unit shows the machine it would get, and submits nothing', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Plan', exact: true }).click();
    await heading('Plan').waitFor({ timeout: SHOWS_MS });
    await page.getByLabel('Unit name', { exact: true }).fill('zone-b.service');
    await page.getByLabel('Unit file', { exact: true }).fill(sleeper('\n[X-Fleet]\nMachineMetadata=zone=b\n'));
    await page.getByRole('button', { name: 'Plan', exact: true }).click();
    const result = table('Plan result');
    const row = result.getByRole('row').filter({ hasText: 'zone-b.service' });
    await row.waitFor({ timeout: SHOWS_MS });
    expect(await (await cellOf(result, row, 'Machine')).innerText()).toBe('bravo');
    expect((await fleetctl('list-unit-files', '--no-legend', '--fields', 'unit')).stdout).not.toMatch(/zone-b\.service/);
    expect((await api('/fleet/v1/units/zone-b.service')).status).toBe(404);
  });

  it('events show a placement and the state change after it, newest first, as they happen', async () => {
    await open('/events');
    await heading('Events').waitFor({ timeout: SHOWS_MS });
    unitFile('evented.service', sleeper());
    expect(await fleetctl('start', 'evented.service')).toMatchObject({ code: 0 });
    const events = page.getByRole('list', { name: 'Events', exact: true }).or(table('Events'));
    const entries = events.getByRole('listitem').or(events.getByRole('row'));
    await entries
      .filter({ hasText: /evented\.service placed on \w+/ })
      .first()
      .waitFor({ timeout: SHOWS_MS });
    await entries
      .filter({ hasText: /evented\.service on \w+: active/ })
      .first()
      .waitFor({ timeout: SHOWS_MS });
    const texts = await entries.allInnerTexts();
    const placed = texts.findIndex((text) => /evented\.service placed on/.test(text));
    const active = texts.findIndex((text) => /evented\.service on \w+: active/.test(text));
    expect(active).toBeLessThan(placed);
  });

  it('without the token nothing is shown: /ui/ and the feed answer 401, the sign-in form shows no name, a wrong token is refused', async () => {
    const base = apiUrl(viewer);
    expect((await fetch(`${base}/ui/`, { redirect: 'manual' })).status).toBe(401);
    expect((await fetch(`${base}/fleetd/v1/events`)).status).toBe(401);
    expect((await fetch(`${base}/fleetd/v1/events`, { headers: { authorization: 'Bearer not-the-token' } })).status).toBe(401);

    const stranger = await browser.newPage({ viewport: VIEWPORT });
    try {
      const answer = await stranger.goto(`${base}/ui/`);
      expect(answer?.status()).toBe(401);
      const tokenField = stranger.getByLabel('API token', { exact: true });
      await tokenField.waitFor({ timeout: SHOWS_MS });
      const secrets = ['alpha', 'bravo', 'charlie', 'hello.service', 'db.service', 'nowhere.service'];
      const shown = async (): Promise<string> => stranger.content();
      for (const secret of secrets) expect(await shown()).not.toContain(secret);

      await tokenField.fill('not-the-token');
      await tokenField.press('Enter');
      await stranger.waitForURL(/\/ui\/login\?error=token/, { timeout: SHOWS_MS });
      await stranger.getByText('That token was not accepted').waitFor({ timeout: SHOWS_MS });
      for (const secret of secrets) expect(await shown()).not.toContain(secret);
      expect((await stranger.request.get(`${base}/ui/`, { maxRedirects: 0 })).status()).toBe(401);
    } finally {
      await stranger.close();
    }
  });

  it('the keyboard reaches the main navigation with a visible focus, and destroying asks first', async () => {
    await open('/');
    await page.reload();
    await waitLive();
    const reached: Focused[] = [];
    for (let press = 0; press < 15 && !reached.some((focused) => focused.inMainNav && focused.text === 'Events'); press++) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate<Focused | null>(FOCUSED);
      if (focused !== null) reached.push(focused);
    }
    expect(reached[0]?.text).toBe('Skip to content');
    expect(reached.filter((focused) => focused.inMainNav).map((focused) => focused.text)).toEqual(['Overview', 'Units', 'Plan', 'Events']);
    for (const focused of reached) expect(focused, `focus on ${focused.text}`).toMatchObject({ drawn: true });

    unitFile('doomed.service', sleeper());
    expect(await fleetctl('start', '--no-block', 'doomed.service')).toMatchObject({ code: 0 });
    await open(`/units/${encodeURIComponent('doomed.service')}`);
    await heading('doomed.service').waitFor({ timeout: SHOWS_MS });
    const confirm = page.getByRole('dialog', { name: 'Destroy doomed.service?', exact: true });
    await page.getByRole('button', { name: 'Destroy', exact: true }).click();
    await confirm.waitFor({ timeout: SHOWS_MS });
    expect((await page.evaluate<Focused | null>(FOCUSED))?.text).toBe('Cancel');
    await confirm.getByRole('button', { name: 'Cancel', exact: true }).click();
    await confirm.waitFor({ state: 'hidden', timeout: SHOWS_MS });
    expect((await api('/fleet/v1/units/doomed.service')).status).toBe(200);

    await page.getByRole('button', { name: 'Destroy', exact: true }).click();
    await confirm.getByRole('button', { name: 'Destroy', exact: true }).click();
    await waitFor(async () => (await api('/fleet/v1/units/doomed.service')).status === 404, 'doomed.service destroyed', SHOWS_MS, 100);
    expect((await fleetctl('list-unit-files', '--no-legend', '--fields', 'unit')).stdout).not.toMatch(/doomed\.service/);
  });

  it('every view, light and dark, is saved as docs/images/dashboard-*.png', async () => {
    await open('/');
    await shown(rowWithLink(table('Machines'), 'charlie'), "charlie's row in the machines table");
    await page.getByRole('list', { name: 'Unschedulable units', exact: true }).getByRole('link', { name: 'nowhere.service' }).waitFor({ timeout: SHOWS_MS });
    await screenshot('overview');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot('overview-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    await open('/units');
    await unitCellShows('web@3.service', 'Current', /launched/);
    await screenshot('units');

    // The README's picture: a unit no machine can take, its reason and the explanation table.
    await open(`/units/${encodeURIComponent('nowhere.service')}`);
    await page.getByRole('alert').waitFor({ timeout: SHOWS_MS });
    await table('Explanation').getByRole('row').nth(3).waitFor({ timeout: SHOWS_MS });
    // The explanation (its summary line says the reason) at the top of the picture, its rows below.
    await page.getByRole('heading', { name: 'Explanation', exact: true }).evaluate((heading: { scrollIntoView(options: { block: string }): void }) => {
      heading.scrollIntoView({ block: 'start' });
    });
    await screenshot('unit');

    await open('/machines/alpha');
    await table('Units on alpha').getByRole('row').nth(1).waitFor({ timeout: SHOWS_MS });
    await screenshot('machine');

    await open('/plan');
    await page.getByLabel('Unit name', { exact: true }).fill('cache.service');
    await page.getByLabel('Unit file', { exact: true }).fill(sleeper('\n[X-Fleet]\nMachineMetadata=disk=ssd\nConflicts=db.service\n'));
    await page.getByRole('button', { name: 'Plan', exact: true }).click();
    await table('Plan result').getByRole('row').filter({ hasText: 'cache.service' }).waitFor({ timeout: SHOWS_MS });
    await screenshot('plan');

    await open('/events');
    await page.getByRole('list', { name: 'Events', exact: true }).or(table('Events')).waitFor({ timeout: SHOWS_MS });
    await screenshot('events');
  });

  it('after its fleetd restarts the page reconnects and shows a change made since', async () => {
    await open('/units');
    await waitLive();
    await viewer.fleetd.stop();
    await page.getByRole('status').filter({ hasText: 'reconnecting…' }).waitFor({ timeout: SHOWS_MS });
    await viewer.fleetd.restart();
    await waitLive();
    unitFile('after-restart.service', sleeper());
    expect(await fleetctl('start', 'after-restart.service')).toMatchObject({ code: 0 });
    await unitCellShows('after-restart.service', 'Current', /launched/);
  });

  // Last: the cluster has two machines afterwards.
  it('after a power cut of one machine its units move on screen to the others', async () => {
    const names = ['move1.service', 'move2.service', 'move3.service', 'move4.service'];
    for (const name of names) unitFile(name, sleeper());
    expect(await fleetctl('start', ...names)).toMatchObject({ code: 0 });
    const victim = cluster.machine('charlie');
    expect(victim).not.toBe(viewer);
    const onCharlie = await statesOn('charlie');
    // Units that can run elsewhere: a web server conflicts with the others', the monitor is everywhere already.
    const orphans = onCharlie.map((state) => state.name).filter((name) => !name.startsWith('web@') && name !== 'monitor.service');
    expect(orphans.length).toBeGreaterThan(0);
    await open('/units');
    for (const unit of orphans) await unitCellShows(unit, 'Machine', /\bcharlie\b/);

    await cluster.crash(victim);
    for (const unit of orphans) await unitCellShows(unit, 'Machine', /\b(alpha|bravo)\b/, (cluster.ttlSeconds + 15) * 1000);
    await open('/');
    await rowWithLink(table('Machines'), 'charlie').waitFor({ state: 'detached', timeout: SHOWS_MS });
  });
});
