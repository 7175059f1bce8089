/**
 * `npm run demo`: a real three-machine fleetd cluster on this host, driven
 * with fleetctl, then removed — also on Ctrl-C.
 */
import { fileURLToPath } from 'node:url';
import { consoleNarrator, runDemo } from './demo.js';
import { startDemoCluster } from './local-cluster.js';
import type { LocalCluster } from 'fleetd/dev';

const unitsDir = fileURLToPath(new URL('../../units/', import.meta.url));
const narrator = consoleNarrator();
const started = Date.now();
let cluster: LocalCluster | undefined;

// Registered before any process starts, so it runs before the harness's own
// handler, which then kills and removes everything synchronously.
process.once('SIGINT', () => {
  process.stdout.write('\n\nInterrupted: every etcd, systemd and fleetd process of the demo is being stopped and its files removed.\n');
  setImmediate(() => process.exit(130));
});

process.stdout.write(
  [
    'fleetd demo: a cluster of three machines on this host',
    '(one etcd; per machine its own systemd user instance and a fleetd; every unit really runs)',
    '',
  ].join('\n'),
);
try {
  cluster = await startDemoCluster({
    onStep: (text) => process.stdout.write(`  … ${text}\n`),
    // One line of config adds resource-aware scheduling to fleet's plugins; enforce makes systemd hold units to their requests.
    extraPlugins: [{ plugin: '@fleetd/plugin-resources', options: { enforce: true } }],
  });
  process.stdout.write(
    `  cluster up in ${((Date.now() - started) / 1000).toFixed(1)} s; while the demo runs, fleetctl reaches it at FLEETCTL_ENDPOINT=${cluster.endpoint}\n`,
  );
  process.stdout.write('  (npm run dev keeps such a cluster up until Ctrl-C)\n');
  await runDemo({ cluster, narrator, unitsDir });
} catch (error) {
  process.exitCode = 1;
  process.stdout.write(`\nThe demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
} finally {
  narrator.heading('Cleaning up');
  await cluster?.stop();
  narrator.say(`every process stopped and every file removed; the demo took ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}
