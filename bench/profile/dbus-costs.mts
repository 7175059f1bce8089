// node --import tsx bench/profile/dbus-costs.mts [calls] [--subscribe]
// Times each D-Bus call the driver makes, against a real systemd user instance.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SystemdManager } from '../../packages/plugin-systemd/src/dbus/index.ts';
import { startSystemdInstance } from '@fleetd/plugin-systemd/testing';
const instance = await startSystemdInstance();
const n = Number(process.argv[2] ?? 100);
const sub = process.argv.includes('--subscribe');
try {
  const m = await SystemdManager.connect(instance.busAddress, 30_000);
  if (sub) {
    await m.addSignalMatches();
    await m.subscribe();
  }
  const dir = join(instance.unitsDirectory, '..', 'bench-units');
  mkdirSync(dir, { recursive: true });
  const time = async (label: string, f: (i: number) => Promise<unknown>) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await f(i);
    console.log(label, ((performance.now() - t0) / n).toFixed(2), 'ms/call');
  };
  const timePar = async (label: string, f: (i: number) => Promise<unknown>) => {
    const t0 = performance.now();
    await Promise.all(Array.from({ length: n }, (_, i) => f(i)));
    console.log(label, ((performance.now() - t0) / n).toFixed(2), 'ms/call (parallel)');
  };
  for (let i = 0; i < n; i++) writeFileSync(join(dir, `b${i}.service`), '[Service]\nExecStart=/bin/sleep infinity\n');
  await time('linkUnitFiles', (i) => m.linkUnitFiles([join(dir, `b${i}.service`)], true, true));
  await time('listUnitsByNames(1)', (i) => m.listUnitsByNames([`b${i}.service`]));
  await time('startUnit (enqueue only)', (i) => m.startUnit(`b${i}.service`, 'replace'));
  await new Promise((r) => setTimeout(r, 1000));
  await time('getProperty Type', (i) => m.getProperty(`/org/freedesktop/systemd1/unit/b${i}_2eservice`, 'org.freedesktop.systemd1.Service', 'Type'));
  await time('stopUnit (enqueue only)', (i) => m.stopUnit(`b${i}.service`, 'replace'));
  await new Promise((r) => setTimeout(r, 1000));
  await time('reload', () => m.reload());
  for (let i = 0; i < n; i++) writeFileSync(join(dir, `c${i}.service`), '[Service]\nExecStart=/bin/sleep infinity\n');
  await timePar('linkUnitFiles', (i) => m.linkUnitFiles([join(dir, `c${i}.service`)], true, true));
  await timePar('startUnit (enqueue only)', (i) => m.startUnit(`c${i}.service`, 'replace'));
  const t0 = performance.now();
  for (;;) {
    const entries = await m.listUnitsByNames(Array.from({ length: n }, (_, i) => `c${i}.service`));
    if (entries.every((e) => e.activeState === 'active')) break;
  }
  console.log('parallel starts until all active', (performance.now() - t0).toFixed(0), 'ms after enqueue for', n);
  m.close();
} finally {
  await instance.stop();
}
