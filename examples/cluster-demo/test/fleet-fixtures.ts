/**
 * The unit files of fleet's functional suite (functional/fixtures/units), by
 * the same names and with the same [X-Fleet] sections, so each scenario reads
 * as fleet's does. The commands are fleetd's: a shell that prints once and
 * then sleeps, instead of printing every second (the suite runs many units on
 * two shared cores).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const service = (greeting: string, xFleet = '', unit = ''): string =>
  `${unit === '' ? '' : `[Unit]\n${unit}\n\n`}[Service]\nExecStart=/bin/sh -c "echo ${greeting}; exec sleep infinity"\n${xFleet === '' ? '' : `\n[X-Fleet]\n${xFleet}\n`}`;

const numbered = (prefix: string, count: number, contents: string): Record<string, string> =>
  Object.fromEntries(Array.from({ length: count }, (_, index) => [`${prefix}.${index}.service`, contents]));

export const FLEET_FIXTURES: Readonly<Record<string, string>> = {
  'hello.service': service("'Hello, World!'"),
  'hello@.service': service("'Hello, World %i!'"),
  'goodbye.service': service("'Goodbye, World!'"),
  'single@.service': service("'Hello, World (@%i)!'"),
  'global.service': service("'Hello, Global World!'", 'Global=true'),
  'global@.service': service("'Hello, Global World (@%i)!'", 'Global=true'),
  'pin@.service': service("'Hello, World!'", 'MachineID=%i'),
  'metadata@.service': service("'Hello, World %i!'", 'MachineMetadata=hostname=%i'),
  'conflicts-with-hello.service': service("'Hello, World!'", 'Conflicts=hello.service', 'Description=Test Unit'),
  ...numbered('conflict', 5, service("'Hello, World!'", 'Conflicts=conflict.*.service', 'Description=Test Unit')),
  'conflict.multiple.0.service': service("'Hello, World!'", 'Conflicts=conflict.2.service conflict.1.service conflict.0.service', 'Description=Test Unit'),
  'conflict.multiple.1.service': service("'Hello, World!'", 'Conflicts=conflict.2.service conflict.1.service conflict.0.service', 'Description=Test Unit'),
  'conflict.multiple.2.service': service(
    "'Hello, World!'",
    'Conflicts=conflict.2.service\nConflicts=conflict.1.service\nConflicts=conflict.0.service',
    'Description=Test Unit',
  ),
  ...numbered('conflict-global', 2, service("'Hello, World!'", 'Global=true\nConflicts=conflict-global.*.service', 'Description=Test Unit')),
  ...Object.fromEntries([0, 1, 2].map((index) => [`ping.${index}.service`, service('ping', '', 'Description=PING')])),
  ...Object.fromEntries([0, 1, 2].map((index) => [`pong.${index}.service`, service('pong', `MachineOf=ping.${index}.service`, 'Description=PONG')])),
  'replace.0.service': service("'Hello, World!'", '', 'Description=Test Unit'),
  'replace.1.service': service("'Hello, World!'", '', 'Description=Test Unit'),
  'replace.2.service': service("'Hello, World!'", 'MachineOf=replace.1.service', 'Description=Test Unit'),
  'replace-kick0.service': service("'Hello, World!'", 'Replaces=replace.0.service', 'Description=Test Unit'),
  'discovery.service': `[Unit]
BindsTo=hello.service

[Service]
ExecStart=/bin/sh -c "echo discovery.service unit file; exec sleep infinity"

[Install]
WantedBy=hello.service

[X-Fleet]
MachineOf=hello.service
`,
};

/** Writes every fixture into `dir`, where fleetctl runs, so scenarios name them as fleet's tests did. */
export function writeFleetFixtures(dir: string): void {
  for (const [name, contents] of Object.entries(FLEET_FIXTURES)) writeFileSync(join(dir, name), contents);
}
