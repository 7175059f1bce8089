/**
 * What fleetd exposes at /metrics (Prometheus text format): scheduling
 * rounds, placements, unschedulable units, agent tasks, plugin errors and
 * plugin log lines, and time spent per plugin and hook, next to the
 * process's own CPU and memory.
 */
import { ErrorCodes } from '@fleetd/core';
import type { FleetError, HookStat, PluginHost, RoundResult } from '@fleetd/core';
import type { AgentEvent, EngineEvent } from '@fleetd/core/unstable';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ApiConnectionEvent } from '../api/limits.js';

export interface FleetdMetrics {
  readonly registry: Registry;
  readonly contentType: string;
  render(): Promise<string>;
  engineEvent(event: EngineEvent): void;
  agentEvent(event: AgentEvent): void;
  /** A plugin error raised outside the engine and agent (an explanation, a dry run). */
  pluginError(error: FleetError): void;
  /** A warning or error a plugin logged. */
  pluginLogLine(plugin: string, level: 'warn' | 'error'): void;
  /** The API's connections: opened, closed, refused at a cap, dropped by the HTTP parser (timeouts, malformed requests). */
  apiConnectionEvent(event: ApiConnectionEvent): void;
}

export interface MetricsSources {
  /** Read at each scrape, so it may be assembled after the metrics (plugins log into them while they apply). */
  readonly host: Pick<PluginHost, 'hookStats'> | undefined;
  /** Placed units and machines the engine sees; absent when the engine is disabled. */
  readonly engine?: { readonly isLeader: boolean; placedUnits(): number; machines(): number } | undefined;
}

/** A plugin's own failure (it threw, or outlived its timeout), as opposed to the registry's or fleetd's. */
export function isPluginFailure(error: FleetError): boolean {
  return error.plugin !== undefined && (error.code === ErrorCodes.PLUGIN_ERROR || error.code === ErrorCodes.PLUGIN_TIMEOUT);
}

const ROUND_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(sources: MetricsSources): FleetdMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'fleetd_' });
  const rounds = new Counter({
    name: 'fleetd_reconcile_rounds_total',
    help: 'Scheduling rounds run by this engine, by outcome',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const roundSeconds = new Histogram({
    name: 'fleetd_reconcile_duration_seconds',
    help: 'Time of scheduling rounds, by phase (decide: plugins choose; bind: placements written)',
    labelNames: ['phase'],
    buckets: ROUND_BUCKETS,
    registers: [registry],
  });
  const placements = new Counter({ name: 'fleetd_placements_total', help: 'Units placed (or moved) by this engine', registers: [registry] });
  const revocations = new Counter({ name: 'fleetd_revocations_total', help: 'Placements revoked by this engine', registers: [registry] });
  const unschedulable = new Gauge({ name: 'fleetd_unschedulable_units', help: 'Units no machine can take, as of the last round', registers: [registry] });
  const pluginErrors = new Counter({
    name: 'fleetd_plugin_errors_total',
    help: "Errors thrown by plugins (taps, and the driver's calls as hook driver.<method>), by plugin and hook",
    labelNames: ['plugin', 'hook'],
    registers: [registry],
  });
  const pluginLogLines = new Counter({
    name: 'fleetd_plugin_log_lines_total',
    help: 'Warnings and errors plugins logged (counted whatever the log level), by plugin and level',
    labelNames: ['plugin', 'level'],
    registers: [registry],
  });
  const agentTasks = new Counter({
    name: 'fleetd_agent_tasks_total',
    help: "Tasks run by this machine's agent, by type and outcome",
    labelNames: ['type', 'outcome'],
    registers: [registry],
  });
  const agentRoundSeconds = new Histogram({
    name: 'fleetd_agent_round_duration_seconds',
    help: "Time of this machine's agent reconcile rounds (unloads, loads, reloads and stops; starts run on)",
    buckets: ROUND_BUCKETS,
    registers: [registry],
  });
  const vetoes = new Counter({ name: 'fleetd_agent_vetoes_total', help: 'Unit starts vetoed by a beforeStart plugin', registers: [registry] });
  const disconnectStops = new Counter({
    name: 'fleetd_agent_disconnect_stops_total',
    help: 'Units this agent stopped because it could not renew its presence for their StopAfterDisconnect grace',
    registers: [registry],
  });
  const apiConnections = new Gauge({
    name: 'fleetd_api_connections',
    help: 'Open API connections, by listener (socket, tcp)',
    labelNames: ['listener'],
    registers: [registry],
  });
  const apiRefused = new Counter({
    name: 'fleetd_api_connections_refused_total',
    help: 'API connections closed on arrival at a cap, by listener and reason (max-connections, max-connections-per-client)',
    labelNames: ['listener', 'reason'],
    registers: [registry],
  });
  const apiClientErrors = new Counter({
    name: 'fleetd_api_client_errors_total',
    help: 'API connections the HTTP parser gave up on, by listener and reason (timeout, headers-too-large, bad-request)',
    labelNames: ['listener', 'reason'],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'fleetd_errors_total',
    help: 'Errors the engine and agent rode out, by component and code',
    labelNames: ['component', 'code'],
    registers: [registry],
  });
  new Gauge({
    name: 'fleetd_engine_leader',
    help: "1 while this fleetd's engine leads the cluster",
    registers: [registry],
    collect() {
      this.set(sources.engine?.isLeader ? 1 : 0);
    },
  });
  new Gauge({
    name: 'fleetd_placed_units',
    help: "Units with a placement, as this engine's mirror sees them",
    registers: [registry],
    collect() {
      if (sources.engine) this.set(sources.engine.placedUnits());
    },
  });
  new Gauge({
    name: 'fleetd_machines',
    help: "Machines present in the cluster, as this engine's mirror sees them",
    registers: [registry],
    collect() {
      if (sources.engine) this.set(sources.engine.machines());
    },
  });
  // Counters fed from the host's running totals: each scrape adds what happened since the last one.
  const hookCounter = (name: string, help: string, read: (stat: HookStat) => number): void => {
    const reported = new Map<string, number>();
    new Counter({
      name,
      help,
      labelNames: ['plugin', 'hook'],
      registers: [registry],
      collect() {
        for (const stat of sources.host?.hookStats() ?? []) {
          const key = `${stat.plugin}\0${stat.hook}`;
          const delta = read(stat) - (reported.get(key) ?? 0);
          // A sampled estimate can dip; a counter never goes down, so it waits for the estimate to catch up.
          if (delta <= 0) continue;
          this.inc({ plugin: stat.plugin, hook: stat.hook }, delta);
          reported.set(key, read(stat));
        }
      },
    });
  };
  hookCounter('fleetd_hook_calls_total', 'Calls of plugin taps, by plugin and hook', (stat) => stat.calls);
  hookCounter(
    'fleetd_hook_seconds_total',
    'Seconds spent in plugin taps, by plugin and hook (filter/score/narrow estimated from one call in 64)',
    (stat) => stat.seconds,
  );

  const observeRound = (result: RoundResult): void => {
    rounds.inc({ outcome: result.bindError === undefined ? 'ok' : 'rolled-back' });
    roundSeconds.observe({ phase: 'decide' }, result.stats.decideMs / 1000);
    roundSeconds.observe({ phase: 'bind' }, result.stats.bindMs / 1000);
    placements.inc(result.placements.length);
    revocations.inc(result.revocations.length);
    unschedulable.set(result.unschedulable.length);
    for (const error of result.pluginErrors) countPluginError(error);
  };
  const countPluginError = (error: FleetError): void => pluginErrors.inc({ plugin: error.plugin ?? 'unknown', hook: error.hook ?? 'unknown' });
  // Errors ridden out, by component and code; a plugin's among them also by plugin and hook.
  const countError = (component: 'engine' | 'agent', error: FleetError): void => {
    errors.inc({ component, code: error.code });
    if (isPluginFailure(error)) countPluginError(error);
  };

  return {
    registry,
    contentType: registry.contentType,
    render: () => registry.metrics(),
    engineEvent(event) {
      if (event.type === 'round') observeRound(event.result);
      else if (event.type === 'round-failed') rounds.inc({ outcome: 'failed' });
      else if (event.type === 'plugin-error') countPluginError(event.error);
      else if (event.type === 'error' || event.type === 'deposed') countError('engine', event.error);
    },
    agentEvent(event) {
      if (event.type === 'task') {
        agentTasks.inc({ type: event.task.type, outcome: event.error === undefined ? 'ok' : 'failed' });
        // The driver's failures are its plugin's (hook driver.<method>): counted against it too.
        if (event.error !== undefined && isPluginFailure(event.error)) countPluginError(event.error);
      } else if (event.type === 'vetoed') vetoes.inc();
      else if (event.type === 'disconnect-stop') disconnectStops.inc();
      else if (event.type === 'round') agentRoundSeconds.observe(event.durationMs / 1000);
      else if (event.type === 'plugin-error') countPluginError(event.error);
      else if (event.type === 'error') countError('agent', event.error);
    },
    pluginError: countPluginError,
    pluginLogLine: (plugin, level) => pluginLogLines.inc({ plugin, level }),
    apiConnectionEvent(event) {
      if (event.type === 'opened') apiConnections.inc({ listener: event.listener });
      else if (event.type === 'closed') apiConnections.dec({ listener: event.listener });
      else if (event.type === 'refused') apiRefused.inc({ listener: event.listener, reason: event.reason });
      else if (event.type === 'client-error') apiClientErrors.inc({ listener: event.listener, reason: event.reason });
    },
  };
}
