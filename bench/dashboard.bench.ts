// The dashboard (issue 20), measured: a real etcd holding 1,000 machines (presence
// keys under one lease, no agents) and 10,000 launched units placed on them by a real
// `fleetd` (engine only) with its TCP API and a token; Debian's chromium (headless,
// playwright-core) loads /ui/#/units on a cold cache.
//   - first paint: the Performance API's first-contentful-paint;
//   - interactive: the table's rows rendered with every unit counted (aria-rowcount), then
//     a query typed into "Filter units" and the filtered rows shown: both timed in the page,
//     from the navigation's start;
//   - the assets' size, from packages/dashboard/dist/ui/sizes.json (the UI build writes it);
//   - the server's cost per connected dashboard: fleetd's RSS, heap and CPU with N live feeds
//     (GET /fleetd/v1/events, each first sent the 10,000-unit snapshot), and the time from
//     one change (a PUT) until every one of N dashboards has it.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeMachine, KeyLayout } from '@fleetd/core/unstable';
import { createEtcdRegistry } from '@fleetd/registry-etcd';
import { freePorts } from '@fleetd/registry-etcd/local';
import { startEtcd } from '@fleetd/registry-etcd/testing';
import { startFleetd } from 'fleetd/testing';
import type { FleetdProcess } from 'fleetd/testing';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium } from '../examples/cluster-demo/test/browser.js';

const TARGET_FIRST_PAINT_MS = 1_000;
const TARGET_INTERACTIVE_MS = 2_000;
const TARGET_ASSETS_GZIP_BYTES = 100 * 1024;
const TARGET_MEMORY_PER_DASHBOARD_KB = 1024;
const KEY_PREFIX = '/fleetd-dashboard-bench/';
const SIZES_JSON = fileURLToPath(new URL('../packages/dashboard/dist/ui/sizes.json', import.meta.url));
/** Matches app@999.service and app@9990 … app@9999.service: 11 of the 10,000 (no machine ID contains it). */
const FILTER_QUERY = 'app@999';

export interface PageLoad {
  readonly firstPaintMs: number;
  /** Navigation start → every unit counted in the table and its first rows in the DOM. */
  readonly rowsMs: number;
  /** Query set in "Filter units" → the filtered rows shown. */
  readonly filterMs: number;
  /** rowsMs + filterMs: the units view answers its filter. */
  readonly interactiveMs: number;
  readonly filteredRows: number;
}

export interface FanOut {
  readonly dashboards: number;
  /** Median time from a PUT to the last of the N dashboards receiving the change. */
  readonly medianMs: number;
  readonly maxMs: number;
}

export interface DashboardResult {
  readonly name: string;
  readonly machines: number;
  readonly units: number;
  readonly runs: number;
  /** Medians over cold loads. */
  readonly firstPaintMs: number;
  readonly rowsMs: number;
  readonly filterMs: number;
  readonly interactiveMs: number;
  readonly loads: readonly PageLoad[];
  /** The first load after chromium started (its renderer and the app's code cold): not in the medians. */
  readonly firstLoad: PageLoad;
  readonly assets: {
    readonly appGzipBytes: number;
    readonly loginGzipBytes: number;
    readonly appRawBytes: number;
    readonly files: Readonly<Record<string, { raw: number; gzip: number }>>;
  };
  readonly perDashboard: {
    readonly dashboards: number;
    /** The snapshot event a dashboard is sent first. */
    readonly snapshotBytes: number;
    /** fleetd's heap + external memory after a full GC, per dashboard: the figure the target is about. */
    readonly memoryKb: number;
    /** fleetd's resident set, per dashboard (without a GC's say on what the kernel gets back: a rough figure). */
    readonly rssKb: number;
    /** fleetd CPU to accept a dashboard and send it the snapshot. */
    readonly connectCpuMs: number;
  };
  readonly fanOut: readonly FanOut[];
  readonly targets: { readonly firstPaintMs: number; readonly interactiveMs: number; readonly assetsGzipBytes: number; readonly memoryPerDashboardKb: number };
  readonly met: { readonly firstPaint: boolean; readonly interactive: boolean; readonly assets: boolean; readonly memory: boolean };
}

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `promise`, or an error naming what did not happen within `ms`: a broken feed fails the bench instead of hanging it. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** fleetd's RSS (kB) and CPU time (ms, user + system) from /proc. */
function processUsage(pid: number): { rssKb: number; cpuMs: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
  // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th, in clock ticks (100 a second).
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuMs = (Number(fields[11]) + Number(fields[12])) * 10;
  return { rssKb, cpuMs };
}

interface Target {
  /** The TCP listener the dashboards use, and its token. */
  readonly port: number;
  readonly token: string;
  /** The API socket: the bench's own requests (bulk submits, changes, metrics) skip the TCP listener's per-client cap. */
  readonly socketPath: string;
}

function call(target: Target, method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath: target.socketPath,
        // A connection per request: a kept-alive one that fleetd closes as it is reused is reset (ECONNRESET).
        agent: false,
        method,
        path,
        headers: {
          ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
        response.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** fleetd's V8 heap in use plus memory outside it (Buffers: streams' pending writes), in kB, from its /metrics. */
async function memoryKb(target: Target): Promise<number> {
  const { text } = await call(target, 'GET', '/metrics');
  const bytes = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  const total = bytes('fleetd_nodejs_heap_size_used_bytes') + bytes('fleetd_nodejs_external_memory_bytes');
  if (Number.isNaN(total)) throw new Error('fleetd /metrics lacks fleetd_nodejs_heap_size_used_bytes or fleetd_nodejs_external_memory_bytes');
  return Math.round(total / 1024);
}

/**
 * A full garbage collection in fleetd, so that memory figures count what is kept, not
 * what awaits collection: fleetd runs with --heapsnapshot-signal, and a heap snapshot
 * starts with a full GC. The snapshot (written into `dir`) is deleted at once. Writing it
 * stalls fleetd for seconds (its engine may lose its lease and take it again): the
 * fan-out is timed before or well after, never across one.
 */
async function collectGarbage(pid: number, target: Target, dir: string): Promise<void> {
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + 60_000;
  while (!readdirSync(dir).some((file) => file.endsWith('.heapsnapshot'))) {
    if (Date.now() > deadline) throw new Error(`fleetd wrote no heap snapshot into ${dir} within 60 s`);
    await sleep(50);
  }
  // The snapshot is written on fleetd's main thread: once it answers, the file is complete.
  await call(target, 'GET', '/health');
  for (const file of readdirSync(dir)) rmSync(join(dir, file), { force: true });
}

/**
 * A dashboard's live feed without a browser: reads the event stream, keeping only the
 * event in progress (a snapshot of 10,000 units is megabytes), and tells listeners
 * each complete event.
 */
class FeedClient {
  snapshotBytes = 0;
  private pending = '';
  private response: IncomingMessage | undefined;
  private readonly listeners = new Set<(event: string, data: string) => void>();

  static async connect(target: Target): Promise<FeedClient> {
    const client = new FeedClient();
    await new Promise<void>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: target.port, path: '/fleetd/v1/events', headers: { authorization: `Bearer ${target.token}` } },
        (response) => {
          if (response.statusCode !== 200) {
            reject(new Error(`GET /fleetd/v1/events answered ${response.statusCode ?? 0}`));
            response.resume();
            return;
          }
          client.response = response;
          // Closing a feed on purpose resets it: not an error of the measurement.
          response.on('error', () => undefined);
          const onSnapshot = (event: string): void => {
            if (event !== 'snapshot') return;
            client.listeners.delete(onSnapshot);
            resolve();
          };
          client.listeners.add(onSnapshot);
          response.setEncoding('utf8').on('data', (chunk: string) => client.read(chunk));
        },
      );
      req.on('error', reject);
      req.end();
    });
    return client;
  }

  /** Resolves when an event of `kind` whose data contains `text` arrives. */
  next(kind: string, text: string): Promise<void> {
    return new Promise((resolve) => {
      const listener = (event: string, data: string): void => {
        if (event !== kind || !data.includes(text)) return;
        this.listeners.delete(listener);
        resolve();
      };
      this.listeners.add(listener);
    });
  }

  close(): void {
    this.response?.destroy();
  }

  private read(chunk: string): void {
    this.pending += chunk;
    for (let end = this.pending.indexOf('\n\n'); end !== -1; end = this.pending.indexOf('\n\n')) {
      const block = this.pending.slice(0, end);
      this.pending = this.pending.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      if (event === undefined) continue;
      const data = block.slice(block.indexOf('\ndata: ') + 7);
      if (event === 'snapshot') this.snapshotBytes = Buffer.byteLength(block);
      for (const listener of [...this.listeners]) listener(event, data);
    }
  }
}

type Registry = ReturnType<typeof createEtcdRegistry>;

async function seedMachines(registry: Registry, layout: KeyLayout, machines: number): Promise<void> {
  const lease = await registry.grantLease(900);
  for (let i = 0; i < machines; i += 100) {
    const batch = Array.from({ length: Math.min(100, machines - i) }, (_, j) => {
      const id = `m${String(i + j).padStart(5, '0')}`;
      return { type: 'put' as const, key: layout.machine(id), value: encodeMachine({ id, metadata: { zone: `z${(i + j) % 3}` } }), lease };
    });
    await registry.txn({ success: batch });
  }
}

async function submitUnits(target: Target, units: number): Promise<void> {
  const names = Array.from({ length: units }, (_, i) => `app@${i}.service`);
  for (let i = 0; i < names.length; i += 50) {
    const answers = await Promise.all(
      names.slice(i, i + 50).map((name) =>
        call(target, 'PUT', `/fleet/v1/units/${name}`, {
          desiredState: 'launched',
          options: [{ section: 'Service', name: 'ExecStart', value: '/bin/sleep 1000' }],
        }),
      ),
    );
    const failed = answers.find((answer) => answer.status !== 201);
    if (failed !== undefined) throw new Error(`PUT answered ${failed.status}: ${failed.text}`);
  }
}

async function waitUntilPlaced(registry: Registry, layout: KeyLayout, units: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { items } = await registry.list(layout.placements);
    if (items.length >= units) return;
    if (Date.now() > deadline) throw new Error(`only ${items.length} of ${units} units placed after 120 s`);
    await sleep(500);
  }
}

/**
 * In the page, before its scripts: once the units table counts `total` units and shows
 * rows, type the query into "Filter units" (as an input event, as typing sends) and note
 * when the table shows the filtered count. Times are performance.now(): ms since the
 * navigation started. A string, not a function: tsx's name helpers do not exist in the page.
 */
function pageProbe(total: number, query: string): string {
  return `(() => {
  if (location.pathname !== '/ui/') return;
  let finish;
  const bench = (window.__dashboardBench = { done: new Promise((resolve) => (finish = resolve)) });
  const grid = () => document.querySelector('[aria-rowcount]');
  const filter = () => [...document.querySelectorAll('input')].find((input) =>
    input.getAttribute('aria-label') === 'Filter units' || [...(input.labels || [])].some((label) => label.textContent.trim() === 'Filter units'));
  const check = () => {
    const table = grid();
    if (!table) return;
    const count = Number(table.getAttribute('aria-rowcount')) - 1;
    if (bench.rowsAt === undefined) {
      const input = filter();
      if (count !== ${total} || !table.querySelector('[aria-rowindex="2"]') || !input) return;
      bench.rowsAt = performance.now();
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(input, ${JSON.stringify(query)});
      input.dispatchEvent(new Event('input', { bubbles: true }));
      bench.typedAt = performance.now();
    } else if (bench.filteredAt === undefined && count !== ${total}) {
      bench.filteredAt = performance.now();
      bench.filteredRows = count;
      observer.disconnect();
      finish();
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
})();`;
}

/** Resolves once the probe saw the filtered rows (a promise: evaluated by the debugger, which the page's CSP does not limit, unlike waitForFunction). */
const PAGE_RESULT = `window.__dashboardBench.done.then(() => {
  const bench = window.__dashboardBench;
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  return { firstPaintMs: paint ? paint.startTime : -1, rowsAt: bench.rowsAt, typedAt: bench.typedAt, filteredAt: bench.filteredAt, filteredRows: bench.filteredRows };
})`;

interface PageTimes {
  readonly firstPaintMs: number;
  readonly rowsAt: number;
  readonly typedAt: number;
  readonly filteredAt: number;
  readonly filteredRows: number;
}

/** One cold load (a new context: no cache) of the units view, signed in by cookie. */
async function loadUnitsView(browser: Browser, signedIn: Awaited<ReturnType<BrowserContext['storageState']>>, base: string, units: number): Promise<PageLoad> {
  const context = await browser.newContext({ storageState: signedIn, viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    await page.addInitScript(pageProbe(units, FILTER_QUERY));
    await page.goto(`${base}/ui/#/units`);
    const times = await within(page.evaluate<PageTimes>(PAGE_RESULT), 120_000, `the units view showing ${units} units and answering its filter`);
    if (times.firstPaintMs < 0) throw new Error('chromium reported no first-contentful-paint');
    const round = (ms: number): number => Math.round(ms);
    return {
      firstPaintMs: round(times.firstPaintMs),
      rowsMs: round(times.rowsAt),
      filterMs: round(times.filteredAt - times.typedAt),
      interactiveMs: round(times.filteredAt),
      filteredRows: times.filteredRows,
    };
  } finally {
    await context.close();
  }
}

async function signIn(browser: Browser, base: string, token: string): Promise<Awaited<ReturnType<BrowserContext['storageState']>>> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${base}/ui/login#token=${token}`);
    await page.waitForURL(`${base}/ui/`, { timeout: 30_000 });
    return await context.storageState();
  } finally {
    await context.close();
  }
}

function readAssets(): DashboardResult['assets'] {
  let sizes: { totals: Record<string, { raw: number; gzip: number }>; files: Record<string, { raw: number; gzip: number }> };
  try {
    sizes = JSON.parse(readFileSync(SIZES_JSON, 'utf8')) as typeof sizes;
  } catch (error) {
    throw new Error(`cannot read ${SIZES_JSON} (written by the dashboard's build: npm run build): ${(error as Error).message}`);
  }
  return {
    appGzipBytes: sizes.totals['app']?.gzip ?? 0,
    appRawBytes: sizes.totals['app']?.raw ?? 0,
    loginGzipBytes: sizes.totals['login']?.gzip ?? 0,
    files: sizes.files,
  };
}

/** Connects `count` feeds, a few at a time, each resolved once its snapshot arrived. */
async function connectFeeds(target: Target, count: number): Promise<FeedClient[]> {
  const clients: FeedClient[] = [];
  while (clients.length < count) {
    const batch = Math.min(10, count - clients.length);
    clients.push(...(await Promise.all(Array.from({ length: batch }, () => FeedClient.connect(target)))));
  }
  return clients;
}

/** Units whose desired state the fan-out changes, each once (all start launched). */
let changedUnits = 0;

/** Times changes (one unit's desired state, launched → loaded) until every connected feed has each. */
async function measureFanOut(target: Target, clients: readonly FeedClient[], changes: number): Promise<FanOut> {
  const times: number[] = [];
  for (let change = 0; change < changes; change++) {
    const unit = `app@${changedUnits++}.service`;
    const received = Promise.all(clients.map((client) => client.next('changes', `"${unit}"`)));
    const started = performance.now();
    const answer = await call(target, 'PUT', `/fleet/v1/units/${unit}`, { desiredState: 'loaded' });
    if (answer.status !== 204 && answer.status !== 200) throw new Error(`PUT ${unit} answered ${answer.status}: ${answer.text}`);
    await within(received, 10_000, `${unit}'s change reaching ${clients.length} dashboards`);
    times.push(performance.now() - started);
    // Outside the feed's batching window, so each change is timed on its own.
    await sleep(300);
  }
  return { dashboards: clients.length, medianMs: Math.round(median(times)), maxMs: Math.round(Math.max(...times)) };
}

async function measurePerDashboard(
  fleetd: FleetdProcess,
  target: Target,
  dashboards: number,
  heapDir: string,
): Promise<{ perDashboard: DashboardResult['perDashboard']; fanOut: FanOut[] }> {
  const pid = fleetd.pid as number;
  const fanOut: FanOut[] = [];
  for (const count of [1, 10]) {
    const clients = await connectFeeds(target, count);
    try {
      fanOut.push(await measureFanOut(target, clients, 5));
    } finally {
      for (const client of clients) client.close();
    }
  }
  await sleep(1_000);
  await collectGarbage(pid, target, heapDir);
  const before = { ...processUsage(pid), memoryKb: await memoryKb(target) };
  const clients = await connectFeeds(target, dashboards);
  try {
    const connected = processUsage(pid);
    // Let every stream's pending write drain, then keep only what stays.
    await sleep(3_000);
    await collectGarbage(pid, target, heapDir);
    const after = { ...processUsage(pid), memoryKb: await memoryKb(target) };
    fanOut.push(await measureFanOut(target, clients, 5));
    return {
      perDashboard: {
        dashboards,
        snapshotBytes: clients[0]?.snapshotBytes ?? 0,
        memoryKb: Math.round(((after.memoryKb - before.memoryKb) / dashboards) * 10) / 10,
        rssKb: Math.round((after.rssKb - before.rssKb) / dashboards),
        connectCpuMs: Math.round(((connected.cpuMs - before.cpuMs) / dashboards) * 10) / 10,
      },
      fanOut,
    };
  } finally {
    for (const client of clients) client.close();
  }
}

export async function measureDashboard(machines = 1_000, units = 10_000, runs = 3, dashboards = 100): Promise<DashboardResult> {
  const assets = readAssets();
  const etcd = await startEtcd();
  const registry = createEtcdRegistry({ ...etcd.clientOptions, requestTimeoutMs: 10_000 });
  const layout = new KeyLayout(KEY_PREFIX);
  try {
    await seedMachines(registry, layout, machines);
    const [port] = (await freePorts(1)) as [number];
    const token = 'dashboard-bench-token-0123456789';
    const heapDir = mkdtempSync('/tmp/fleetd-dashboard-bench-heap-');
    const fleetd = await startFleetd({
      name: 'dashboard-bench-fleetd',
      config: {
        etcd: { endpoints: [...etcd.endpoints], keyPrefix: KEY_PREFIX, requestTimeoutMs: 10_000 },
        machine: { id: 'bench-engine' },
        agent: { enabled: false },
        // Every dashboard of the bench connects from 127.0.0.1: room for all of them on the one address.
        api: { tcp: { host: '127.0.0.1', port, token, maxConnections: dashboards + 100, maxConnectionsPerClient: dashboards + 50 } },
        log: { level: 'warn' },
      },
      env: { NODE_OPTIONS: `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${heapDir}` },
    });
    const target: Target = { port, token, socketPath: fleetd.socketPath };
    try {
      await submitUnits(target, units);
      await waitUntilPlaced(registry, layout, units);
      const base = `http://127.0.0.1:${port}`;
      const browser = await launchChromium();
      const measured: PageLoad[] = [];
      try {
        const signedIn = await signIn(browser, base, target.token);
        for (let run = 0; run <= runs; run++) measured.push(await loadUnitsView(browser, signedIn, base, units));
      } finally {
        await browser.close();
      }
      // The browser's first page also starts its renderer and compiles the app: reported, not counted in the medians.
      const [firstLoad, ...loads] = measured as [PageLoad, ...PageLoad[]];
      const { perDashboard, fanOut } = await measurePerDashboard(fleetd, target, dashboards, heapDir);
      const firstPaintMs = median(loads.map((load) => load.firstPaintMs));
      const interactiveMs = median(loads.map((load) => load.interactiveMs));
      const assetsGzip = Object.values(assets.files).reduce((sum, file) => sum + file.gzip, 0);
      return {
        name: `dashboard units view, ${units.toLocaleString('en')} units / ${machines.toLocaleString('en')} machines`,
        machines,
        units,
        runs,
        firstPaintMs,
        rowsMs: median(loads.map((load) => load.rowsMs)),
        filterMs: median(loads.map((load) => load.filterMs)),
        interactiveMs,
        loads,
        firstLoad,
        assets,
        perDashboard,
        fanOut,
        targets: {
          firstPaintMs: TARGET_FIRST_PAINT_MS,
          interactiveMs: TARGET_INTERACTIVE_MS,
          assetsGzipBytes: TARGET_ASSETS_GZIP_BYTES,
          memoryPerDashboardKb: TARGET_MEMORY_PER_DASHBOARD_KB,
        },
        met: {
          firstPaint: firstPaintMs <= TARGET_FIRST_PAINT_MS,
          interactive: interactiveMs <= TARGET_INTERACTIVE_MS,
          assets: assetsGzip <= TARGET_ASSETS_GZIP_BYTES,
          memory: perDashboard.memoryKb <= TARGET_MEMORY_PER_DASHBOARD_KB,
        },
      };
    } finally {
      await fleetd.remove();
      rmSync(heapDir, { recursive: true, force: true });
    }
  } finally {
    await registry.close();
    await etcd.stop();
  }
}

if (process.argv[1]?.endsWith('dashboard.bench.ts')) {
  console.log(JSON.stringify(await measureDashboard(Number(process.argv[2] ?? 1_000), Number(process.argv[3] ?? 10_000)), null, 2));
}
