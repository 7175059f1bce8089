/**
 * One fleetd: the registry (etcd, or the embedded store in standalone mode),
 * the engine and the agent on the configured plugins, and the HTTP API.
 * Started in dependency order; whatever started is stopped again if a later
 * step fails, so a refused start leaves nothing behind.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { createMachine, describeThrown } from '@fleetd/core';
import { Agent, Engine, FleetStore } from '@fleetd/core/unstable';
import { parseStopAfter } from '@fleetd/plugin-disconnect';
import type { AgentEvent } from '@fleetd/core/unstable';
import type { Machine, PluginHost, Registry } from '@fleetd/core';
import { startApiServer } from '../api/index.js';
import type { ApiServer } from '../api/index.js';
import { assembleFromConfig } from '../config/index.js';
import type { ResolvedConfig } from '../config/types.js';
import { createLogger, errorFields } from '../logging/logger.js';
import type { Logger } from '../logging/logger.js';
import { pluginLoggers } from '../logging/plugin-logger.js';
import { createMetrics, isPluginFailure } from '../metrics/metrics.js';
import type { FleetdMetrics } from '../metrics/metrics.js';
import { createFleetService } from '../service/index.js';
import type { FleetService } from '../service/index.js';
import { acquireDataDirLock, openFileRegistry } from '../store/index.js';
import { logPluginError, pluginErrorReporter, RoundErrorLog, warnAboutCoreCopies } from './plugin-reports.js';
import { readPresenceLease, writePresenceLease } from './presence-file.js';
import { applyReload } from './reload.js';
import { withServiceManagerHint } from './service-manager-hint.js';
import type { ReloadReport } from './reload.js';
import { FLEETD_VERSION } from './version.js';

export interface DaemonOptions {
  /** Default: JSON lines on stdout at the configured level. */
  readonly logger?: Logger;
  /** Default: assembled from `config.plugins`, each plugin logging into `logger` (`plugin: <name>`). */
  readonly host?: PluginHost;
}

export interface Daemon {
  readonly config: ResolvedConfig;
  readonly mode: ResolvedConfig['mode'];
  readonly machineId: string;
  readonly socketPath: string | undefined;
  readonly tcpUrl: string | undefined;
  readonly registry: Registry;
  readonly engine: Engine | undefined;
  readonly agent: Agent | undefined;
  readonly service: FleetService;
  readonly metrics: FleetdMetrics;
  readonly logger: Logger;
  /** Applies what can change at run time (metadata, log level); says what needs a restart. */
  reload(next: ResolvedConfig): Promise<ReloadReport>;
  /**
   * Stops serving, leaves the engine election (another engine takes over at
   * once) and stops the agent; units keep running. Without `leave`, the
   * machine stays listed for the agent TTL so a restart takes it back.
   */
  stop(options?: { readonly leave?: boolean }): Promise<void>;
}

type Cleanup = () => Promise<void>;

export async function startDaemon(config: ResolvedConfig, options: DaemonOptions = {}): Promise<Daemon> {
  const logger = options.logger ?? createLogger(config.log.level);
  logger.info(describeMode(config), startLine(config));
  const cleanups: Cleanup[] = [];
  try {
    return await startParts(config, options, logger, cleanups);
  } catch (error) {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    throw error;
  }
}

async function startParts(config: ResolvedConfig, options: DaemonOptions, logger: Logger, cleanups: Cleanup[]): Promise<Daemon> {
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const lock = await acquireDataDirLock(config.dataDir);
  cleanups.push(async () => lock.release());
  let engine: Engine | undefined;
  // Before the plugins: they may log (and be counted) while they apply.
  // eslint-disable-next-line prefer-const -- the metrics getter reads it before the plugins are assembled
  let assembled: PluginHost | undefined;
  const metrics = createMetrics({
    get host() {
      return assembled;
    },
    engine: config.engine.enabled
      ? {
          get isLeader() {
            return engine?.isLeader ?? false;
          },
          placedUnits: () => engine?.state.placementCount ?? 0,
          machines: () => engine?.state.machines.length ?? 0,
        }
      : undefined,
  });
  const host = options.host ?? (await assembleFromConfig(config, { logger: pluginLoggers(logger, (plugin, level) => metrics.pluginLogLine(plugin, level)) }));
  assembled = host;
  logger.info({ plugins: host.plugins.map((plugin) => `${plugin.meta.name}@${plugin.meta.version}`) }, 'plugins assembled');
  // Plugin modules are imported by now (with the config, or by the caller that assembled `host`).
  warnAboutCoreCopies(logger);
  const registry = await openRegistry(config);
  cleanups.push(() => registry.close());
  const keyPrefix = config.etcd?.keyPrefix ?? '/fleetd/';
  await new FleetStore(registry, keyPrefix).ensureSchema();
  let machine = describeMachine(config);

  // The agent announces the machine before the engine's first round: the embedded
  // store forgets presence on restart, and an engine that ran first would find
  // the machine gone and revoke every placement on it (units stopped, restarted).
  const agent = config.agent.enabled ? await startAgent(config, registry, host, keyPrefix, machine, logger, metrics) : undefined;
  if (agent !== undefined) cleanups.push(() => agent.stop({ leave: false }));
  if (config.engine.enabled) {
    engine = startEngine(config, registry, host, keyPrefix, logger, metrics);
    await engine.start();
    cleanups.push(() => (engine as Engine).stop());
  }

  const service = createFleetService({
    registry,
    keyPrefix,
    host,
    mode: config.mode,
    machineId: machine.id,
    version: FLEETD_VERSION,
    engine: { enabled: engine !== undefined, isLeader: () => engine?.isLeader ?? false },
    agentEnabled: agent !== undefined,
    metrics: { contentType: metrics.contentType, render: () => metrics.render() },
    onPluginError: pluginErrorReporter(logger.child({ component: 'api' }), metrics),
  });
  cleanups.push(() => service.close());
  const api = await startApi(config, service, logger, metrics);
  cleanups.push(() => api.close());
  const keepAlive = keepProcessAlive();
  logger.info({ socket: api.socketPath, tcp: api.tcpUrl }, 'fleetd is ready');

  let stopping: Promise<void> | undefined;
  // What runs now, for the next reload to compare with: a SIGHUP back to the metadata or
  // log level of the start-up file found "nothing changed" against that file, and kept the reloaded values.
  let running = config;
  return {
    config,
    mode: config.mode,
    machineId: machine.id,
    socketPath: api.socketPath,
    tcpUrl: api.tcpUrl,
    registry,
    engine,
    agent,
    service,
    metrics,
    logger,
    async reload(next) {
      const report = await applyReload(running, next, { logger, agent, machine });
      machine = report.machine;
      // Only what applyReload applies at run time; options needing a restart keep their running value.
      running = { ...running, machine: { ...running.machine, metadata: next.machine.metadata }, log: { ...running.log, level: next.log.level } };
      return report;
    },
    stop(stopOptions = {}) {
      stopping ??= stopAll(logger, api, service, agent, engine, registry, lock, stopOptions.leave ?? false).finally(keepAlive);
      return stopping;
    },
  };
}

/**
 * Holds the event loop until the daemon stopped (the returned function lets
 * go). The parts' own timers are unref'd and a fleetd serving neither socket
 * nor TCP (`--api-socket false`) has no listener: without this the process ran
 * out of work right after "ready" and Node ended it (exit 13, an unsettled
 * top-level await), leaving its lock file behind.
 */
function keepProcessAlive(): () => void {
  const timer = setInterval(() => undefined, 2 ** 30);
  return () => clearInterval(timer);
}

function startLine(config: ResolvedConfig): string {
  if (config.mode === 'standalone') {
    return `fleetd ${FLEETD_VERSION} starting in standalone mode: one machine, embedded store in ${config.dataDir}`;
  }
  const roles = [config.engine.enabled ? 'engine' : undefined, config.agent.enabled ? 'agent' : undefined].filter(Boolean).join(' + ');
  return `fleetd ${FLEETD_VERSION} starting as a cluster member (${roles || 'API only'}) on etcd ${config.etcd?.endpoints.join(',') ?? ''}`;
}

function describeMode(config: ResolvedConfig): Record<string, unknown> {
  return { mode: config.mode, machineId: config.machine.id, configFile: config.source.file ?? null };
}

function describeMachine(config: ResolvedConfig): Machine {
  return createMachine({
    id: config.machine.id,
    metadata: config.machine.metadata,
    publicIP: config.machine.publicIP,
    version: FLEETD_VERSION,
  });
}

async function openRegistry(config: ResolvedConfig): Promise<Registry> {
  if (config.etcd === undefined) return openFileRegistry({ dir: config.dataDir });
  // Loaded only for cluster members: the gRPC client is most of a standalone fleetd's memory otherwise.
  const { createEtcdRegistry } = await import('@fleetd/registry-etcd');
  const { endpoints, tls, username, password, requestTimeoutMs } = config.etcd;
  const files = {
    ...(tls.ca === undefined ? {} : { caFile: tls.ca }),
    ...(tls.cert === undefined ? {} : { certFile: tls.cert }),
    ...(tls.key === undefined ? {} : { keyFile: tls.key }),
  };
  return createEtcdRegistry({
    endpoints,
    requestTimeoutMs,
    ...(Object.keys(files).length === 0 ? {} : { tls: files }),
    ...(username === undefined ? {} : { auth: { username, password: password ?? '' } }),
  });
}

function startEngine(config: ResolvedConfig, registry: Registry, host: PluginHost, keyPrefix: string, logger: Logger, metrics: FleetdMetrics): Engine {
  const log = logger.child({ component: 'engine' });
  const roundErrors = new RoundErrorLog(log);
  return new Engine({
    registry,
    host,
    id: config.machine.id,
    keyPrefix,
    leaseTtlSeconds: config.engine.leaseTtlSeconds,
    reconcileIntervalMs: config.engine.reconcileIntervalMs,
    onEvent: (event) => {
      metrics.engineEvent(event);
      switch (event.type) {
        case 'elected':
          return log.info('this engine now leads the cluster');
        case 'deposed':
          return log.warn(errorFields(event.error), 'this engine lost the leadership');
        case 'round': {
          const { placements, revocations, unschedulable, bindError, pluginErrors } = event.result;
          roundErrors.report(event.result.round, pluginErrors);
          if (bindError !== undefined) return log.warn(errorFields(bindError), 'round rolled back');
          for (const unit of unschedulable) log.debug({ unit: unit.unit }, `unschedulable: ${unit.summary}`);
          if (placements.length + revocations.length > 0) {
            log.info(
              {
                placed: placements.length,
                revoked: revocations.length,
                unschedulable: unschedulable.length,
                ms: event.result.stats.decideMs + event.result.stats.bindMs,
              },
              'round',
            );
          }
          return;
        }
        case 'plugin-error':
          return logPluginError(log, event.error);
        default:
          if (isPluginFailure(event.error)) return logPluginError(log, event.error);
          return log.warn(errorFields(event.error), event.type === 'round-failed' ? 'round failed' : 'engine error');
      }
    },
  });
}

async function startAgent(
  config: ResolvedConfig,
  registry: Registry,
  host: PluginHost,
  keyPrefix: string,
  machine: Machine,
  logger: Logger,
  metrics: FleetdMetrics,
): Promise<Agent> {
  const log = logger.child({ component: 'agent' });
  warnAboutLongGrace(config, log);
  // The embedded store forgets leases on restart, so only etcd has a lease to resume.
  const presenceLease = config.mode === 'cluster' ? await readPresenceLease(config.dataDir, machine.id, keyPrefix) : undefined;
  const agent = new Agent({
    registry,
    host,
    machine,
    keyPrefix,
    ttlSeconds: config.agent.ttlSeconds,
    factsRefreshMs: config.agent.factsRefreshSeconds * 1000,
    presenceLease,
    onEvent: (event) => {
      metrics.agentEvent(event);
      logAgentEvent(log, event);
      if (event.type === 'announced' && config.mode === 'cluster') {
        writePresenceLease(config.dataDir, { machineId: machine.id, keyPrefix, lease: event.lease }).catch((error: unknown) =>
          log.warn(
            { error: describeThrown(error) },
            `could not record the new presence lease in ${config.dataDir}: a fleetd restarted before the agent TTL has passed will be refused the machine ID`,
          ),
        );
      }
    },
  });
  await agent.start().catch((error: unknown) => {
    throw withServiceManagerHint(error, config);
  });
  const lease = agent.presenceLease;
  if (config.mode === 'cluster' && lease !== undefined) {
    await writePresenceLease(config.dataDir, { machineId: machine.id, keyPrefix, lease });
  }
  return agent;
}

/** A machine default grace not below the TTL lets a cut-off machine's units run twice; allowed, but said. */
function warnAboutLongGrace(config: ResolvedConfig, log: Logger): void {
  const grace = parseStopAfter(config.agent.stopAfterDisconnect);
  if (!grace.ok || grace.value === 'off' || grace.value < config.agent.ttlSeconds * 1000) return;
  log.warn(
    { stopAfterDisconnect: config.agent.stopAfterDisconnect, ttlSeconds: config.agent.ttlSeconds },
    `agent.stopAfterDisconnect (${config.agent.stopAfterDisconnect}) is not below agent.ttlSeconds (${config.agent.ttlSeconds}): a cut-off machine's units may run twice until their grace runs out`,
  );
}

function logAgentEvent(log: Logger, event: AgentEvent): void {
  switch (event.type) {
    case 'task': {
      const unit = 'unit' in event.task ? (typeof event.task.unit === 'string' ? event.task.unit : event.task.unit.name) : undefined;
      const what = unit === undefined ? event.task.type : `${event.task.type} ${unit}`;
      if (event.error === undefined) return log.info({ task: event.task.type, unit }, what);
      // A driver's failure carries its plugin and hook (driver.<method>) in the error's fields.
      return log.warn({ task: event.task.type, unit, ...errorFields(event.error) }, `${what} failed`);
    }
    case 'vetoed':
      return log.info({ unit: event.unit }, `start vetoed: ${event.reason}`);
    case 'plugin-error':
      return logPluginError(log, event.error);
    case 'disconnect-stop':
      return log.warn(
        { unit: event.unit, graceMs: event.graceMs, cutOffMs: event.cutOffMs },
        `stopping ${event.unit}: this machine's presence not renewed for ${seconds(event.cutOffMs)} s (StopAfterDisconnect ${seconds(event.graceMs)} s); it stays loaded until fleetd reaches etcd again`,
      );
    case 'announced':
      return log.info({ lease: event.lease }, 'machine announced again under a new presence lease (the old one was lost)');
    case 'reconnected':
      return log.info(
        { units: event.units },
        `presence renewed again: ${event.units.length} unit(s) stopped while cut off are reconciled (started again if still placed here)`,
      );
    case 'error':
      // The driver's failures come as its plugin's (hook driver.<method>), not as the registry's.
      if (isPluginFailure(event.error)) return logPluginError(log, event.error);
      return log.warn(errorFields(event.error), 'agent error');
    default:
      return;
  }
}

const seconds = (ms: number): string => (ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1);

async function startApi(config: ResolvedConfig, service: FleetService, logger: Logger, metrics: FleetdMetrics): Promise<ApiServer> {
  const { socket, socketMode, socketGroup, tcp, pageSize, bodyLimitBytes, headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs, dashboard } = config.api;
  return startApiServer({
    service,
    dashboard,
    pageSize,
    bodyLimitBytes,
    timeouts: { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs },
    onConnectionEvent: (event) => metrics.apiConnectionEvent(event),
    logger: logger.child({ component: 'api' }),
    ...(socket === false ? {} : { socket: { path: socket, mode: socketMode, ...(socketGroup === undefined ? {} : { group: socketGroup }) } }),
    ...(tcp === undefined ? {} : { tcp: await tcpListener(tcp) }),
  });
}

async function tcpListener(tcp: NonNullable<ResolvedConfig['api']['tcp']>) {
  const tls =
    tcp.tls === undefined
      ? undefined
      : {
          cert: await readFile(tcp.tls.cert, 'utf8'),
          key: await readFile(tcp.tls.key, 'utf8'),
          ...(tcp.tls.ca === undefined ? {} : { ca: await readFile(tcp.tls.ca, 'utf8') }),
        };
  return {
    host: tcp.host,
    port: tcp.port,
    allowUnauthenticated: tcp.allowUnauthenticated,
    maxConnections: tcp.maxConnections,
    maxConnectionsPerClient: tcp.maxConnectionsPerClient,
    ...(tcp.token === undefined ? {} : { token: tcp.token }),
    ...(tls === undefined ? {} : { tls }),
  };
}

async function stopAll(
  logger: Logger,
  api: ApiServer,
  service: FleetService,
  agent: Agent | undefined,
  engine: Engine | undefined,
  registry: Registry,
  lock: { release(): void | Promise<void> },
  leave: boolean,
): Promise<void> {
  logger.info(leave ? 'fleetd stopping and leaving the cluster; units keep running' : 'fleetd stopping; units keep running');
  const steps: [string, () => Promise<void>][] = [
    ['api', () => api.close()],
    ['live feed', () => service.close()],
    ['agent', async () => agent?.stop({ leave })],
    ['engine', async () => engine?.stop()],
    ['registry', () => registry.close()],
    ['data directory lock', async () => lock.release()],
  ];
  for (const [what, step] of steps) {
    try {
      await step();
    } catch (error) {
      logger.warn({ ...errorFields(error), step: what }, `stopping the ${what} failed`);
    }
  }
  logger.info('fleetd stopped');
}
