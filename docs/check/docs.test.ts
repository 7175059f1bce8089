/**
 * "Code blocks in docs are taken from, or checked against, code that runs":
 * every fenced block of docs/*.md, README.md and packages/fleetd/README.md,
 * by kind, plus the configuration and HTTP API references against the code.
 * Every failure names the doc file and line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { assemblePlugins, createUnit, hookReferenceTable, isValidUnitName, parseUnitFile, parseUnitName } from '@fleetd/core';
import type { PluginHost } from '@fleetd/core';
import resources from '@fleetd/plugin-resources';
import { fleetPreset } from '@fleetd/preset-fleet';
import { OPTION_TABLE, parseClusterFile, validateConfig } from 'fleetd';
import { fleetdConfigSchema } from '../../packages/fleetd/src/config/schema.js';
import { allBlocks, readDoc, skipReason } from './blocks.js';
import type { CodeBlock } from './blocks.js';
import { fleetctlProblem, fleetdProblem, invocations } from './commands.js';
import { readOptionTable, schemaPaths } from './reference-tables.js';
import { startSeededApi, SEEDED_UNIT } from './api-server.js';
import type { SeededApi } from './api-server.js';
import { typeCheckBlocks } from './typescript.js';

const blocks = allBlocks();
const named = (block: CodeBlock) => ({ name: block.where, block });

const reasonToSkip = (block: CodeBlock) => skipReason(block);

describe('skipped blocks say why', () => {
  it('every skip marker gives a reason', () => {
    const skipped = blocks.filter((block) => block.marker?.startsWith('skip') === true);
    const unexplained = skipped.filter((block) => (reasonToSkip(block) ?? '') === '').map((block) => block.where);
    expect(unexplained, 'write <!-- docs-check: skip (the reason) -->').toEqual([]);
  });
});

describe('```ts blocks type-check', () => {
  const tsBlocks = blocks.filter((block) => (block.lang === 'ts' || block.lang === 'typescript') && reasonToSkip(block) === undefined);
  let diagnostics: Map<string, string[]>;
  beforeAll(() => {
    diagnostics = typeCheckBlocks(tsBlocks);
  });
  it.each(tsBlocks.map(named))('$name', ({ block }) => {
    expect(diagnostics.get(block.where), block.where).toEqual([]);
  });
});

const CONFIG_KEYS = new Set(Object.keys(fleetdConfigSchema.shape));
const CONFIG_FILE_COMMENT = /^\s*(#|\/\/).*(fleetd\.config\.|\.fleetdrc)/;

/** A config block: marked `config`, headed by a comment naming a config file, or YAML of config keys only. */
function isConfigBlock(block: CodeBlock): boolean {
  if (!['yaml', 'yml', 'json'].includes(block.lang) || reasonToSkip(block) !== undefined) return false;
  if (block.marker === 'config') return true;
  if (block.marker !== undefined) return false;
  if (CONFIG_FILE_COMMENT.test(block.text.split('\n', 1)[0] ?? '')) return true;
  if (block.lang === 'json') return false;
  const value = tryYaml(block.text);
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length > 0 &&
    Object.keys(value).every((key) => CONFIG_KEYS.has(key))
  );
}

function tryYaml(text: string): unknown {
  try {
    return parseYaml(text) as unknown;
  } catch {
    return undefined;
  }
}

describe('config blocks pass validateConfig', () => {
  it.each(blocks.filter(isConfigBlock).map(named))('$name', ({ block }) => {
    const config = block.lang === 'json' ? (JSON.parse(block.text) as unknown) : (parseYaml(block.text) as unknown);
    expect(() => validateConfig(config), block.where).not.toThrow();
  });
});

describe('cluster files parse', () => {
  it.each(blocks.filter((block) => block.marker === 'cluster').map(named))('$name', ({ block }) => {
    expect(parseClusterFile(block.where, block.text).length).toBeGreaterThan(0);
  });
});

describe('JSON blocks parse', () => {
  it.each(blocks.filter((block) => block.lang === 'json' && reasonToSkip(block) === undefined).map(named))('$name', ({ block }) => {
    expect(() => JSON.parse(block.text) as unknown, block.where).not.toThrow();
  });
});

const UNIT_SECTION = /^\[(Unit|Service|Socket|Timer|Path|Install|X-Fleet)\]\s*$/m;

/** `unit NAME` marker, else a first-line comment that is a unit name, else a plain service name. */
function unitNameOf(block: CodeBlock): string {
  const marked = /^(?:unit|refused)\s+(\S+\.\w+)/.exec(block.marker ?? '')?.[1];
  if (marked !== undefined) return marked;
  const comment = /^\s*[#;]\s*(\S+)\s*$/.exec(block.text.split('\n', 1)[0] ?? '')?.[1];
  return comment !== undefined && isValidUnitName(comment) ? comment : 'example.service';
}

describe('unit files parse and pass the validation plugin', () => {
  let host: PluginHost;
  beforeAll(async () => {
    // The resources plugin too (not in fleet's preset), with the resources docs/unit-options.md declares, for its Memory=, CPU= and Resource= blocks.
    host = await assemblePlugins(fleetPreset({ add: [{ plugin: resources, options: { resources: { gpu: 'count' } } }] }));
  });
  const unitBlocks = blocks.filter((block) => ['ini', 'systemd'].includes(block.lang) && UNIT_SECTION.test(block.text) && reasonToSkip(block) === undefined);
  it.each(unitBlocks.map((block) => ({ ...named(block), unit: unitNameOf(block) })))('$name ($unit)', ({ block, unit }) => {
    const file = parseUnitFile(block.text, { file: block.where });
    // A template can only be submitted (inactive); anything else as `fleetctl start` sends it.
    const desiredState = parseUnitName(unit).isTemplate ? 'inactive' : 'launched';
    const check = () => host.validateUnit(createUnit({ name: unit, contents: file, desiredState }));
    // `<!-- docs-check: refused NAME "message part" -->`: the block shows a unit fleetd refuses.
    const refusal = /^refused\s+\S+\s+"(.+)"$/.exec(block.marker ?? '')?.[1];
    if (refusal === undefined) expect(check, block.where).not.toThrow();
    else expect(check, block.where).toThrow(refusal);
  });
});

describe('fleetctl and fleetd command lines exist', () => {
  const shellBlocks = blocks.filter((block) => ['sh', 'bash', 'shell', 'console'].includes(block.lang) && reasonToSkip(block) === undefined);
  const cases = shellBlocks.flatMap((block) =>
    invocations(block.text).map((call) => ({ name: `${block.file}:${block.line + 1 + call.offset} ${call.command} ${call.args.join(' ')}`, call })),
  );
  it.each(cases)('$name', async ({ name, call }) => {
    const problem = call.command === 'fleetctl' ? await fleetctlProblem(call.args) : fleetdProblem(call.args);
    expect(problem, name).toBeUndefined();
  });
});

describe('the configuration reference lists exactly OPTION_TABLE and the schema', () => {
  const rows = readOptionTable(readDoc('docs/configuration.md'));
  const paths = schemaPaths(fleetdConfigSchema);
  const known = new Set(paths.map((entry) => entry.path));
  const at = (line: number) => `docs/configuration.md:${line}`;

  it('has an option table', () => {
    expect(rows.length).toBeGreaterThan(0);
  });
  it.each(OPTION_TABLE.map((row) => ({ name: row.env, row })))('$name is listed with its path and flag', ({ row }) => {
    const listed = rows.find((candidate) => candidate.env === row.env);
    expect(listed, `docs/configuration.md lists no row for ${row.env}`).toBeDefined();
    expect({ path: listed?.path, flag: listed?.flag }, at(listed?.line ?? 0)).toEqual({ path: row.path.join('.'), flag: row.flag });
  });
  it.each(rows.map((row) => ({ name: `${row.path} (line ${row.line})`, row })))('$name: a real option, variable and flag', ({ row }) => {
    expect(known.has(row.path), `${at(row.line)}: ${row.path} is not a config option`).toBe(true);
    const table = OPTION_TABLE.find((candidate) => candidate.path.join('.') === row.path);
    expect({ env: row.env, flag: row.flag }, at(row.line)).toEqual({ env: table?.env, flag: table?.flag });
  });
  it.each(paths.filter((entry) => entry.leaf).map((entry) => ({ name: entry.path })))('$name is documented', ({ name }) => {
    expect(
      rows.some((row) => row.path === name),
      `docs/configuration.md has no row for ${name}`,
    ).toBe(true);
  });
  it('mentions no FLEETD_* variable that does not exist', () => {
    const markdown = readDoc('docs/configuration.md');
    const valid = new Set(['FLEETD_CONFIG', ...OPTION_TABLE.map((row) => row.env)]);
    // A typo quoted from fleetd's own warning (`unknown environment variable FLEETD_X ignored`) is on purpose.
    const invented = [...markdown.matchAll(/(?<!unknown environment variable )FLEETD_[A-Z0-9_]+/g)]
      .filter((match) => !valid.has(match[0]))
      .map((match) => `${at(markdown.slice(0, match.index).split('\n').length)} ${match[0]}`);
    expect(invented).toEqual([]);
  });
});

/** `GET /fleet/v1/units/{name}` in backticks, anywhere in the HTTP reference. */
function documentedEndpoints(): { name: string; method: string; path: string }[] {
  const markdown = readDoc('docs/http-api.md');
  const seen = new Map<string, { name: string; method: string; path: string }>();
  for (const [index, line] of markdown.split('\n').entries()) {
    for (const match of line.matchAll(/`(GET|PUT|DELETE|PATCH|POST) (\/[^`\s?]*)[^`]*`/g)) {
      const key = `${match[1]} ${match[2]}`;
      if (!seen.has(key)) seen.set(key, { name: `docs/http-api.md:${index + 1} ${key}`, method: match[1] ?? '', path: match[2] ?? '' });
    }
  }
  // Deletes last: they remove the seeded unit the other routes read.
  return [...seen.values()].sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
}

describe('every endpoint of the HTTP API reference answers', () => {
  let api: SeededApi;
  beforeAll(async () => {
    api = await startSeededApi();
  });
  afterAll(async () => {
    await api?.close();
  });
  const endpoints = documentedEndpoints();
  it('documents endpoints', () => {
    expect(endpoints.length).toBeGreaterThan(0);
  });
  it.each(endpoints)('$name', async ({ name, method, path }) => {
    const response = await api.request(method, path.replace(/\{[^}]+\}/g, SEEDED_UNIT));
    expect(response.status, `${name}: ${response.body}`).toBeLessThan(400);
  });
});

describe('the hook tables are the hook specs', () => {
  // Hooks are declared once (HOOK_SPECS); the docs embed the table made from them.
  const TABLE = /<!-- hooks-table:start -->\n([\s\S]*?)\n<!-- hooks-table:end -->/;
  it.each(['docs/plugin-authoring.md', 'docs/architecture.md'])('%s', (file) => {
    const embedded = TABLE.exec(readDoc(file))?.[1];
    expect(embedded, `${file}: put hookReferenceTable() between <!-- hooks-table:start --> and <!-- hooks-table:end -->`).toBe(hookReferenceTable());
  });
});
