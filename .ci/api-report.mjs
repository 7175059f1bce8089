#!/usr/bin/env node
// API reports: one API Extractor report per public entry point of every published
// workspace package, committed in the package, so every change to a public surface
// shows in review. docs/architecture.md ("Public API and its reports") says what they
// cover; this header says how.
//
//   node .ci/api-report.mjs            check (`npm run api:check`, part of `npm test`):
//                                      exit 1, with a unified diff per report, when a
//                                      committed report differs from the built .d.ts
//   node .ci/api-report.mjs --update   write the reports (`npm run api:update`)
//
//   package names or folders           limit the run: `... --update @fleetd/core packages/glob`
//   --verbose                          time per package
//   --program-per-package              one TypeScript program per package instead of one for
//                                      all (slower; the reports must come out the same)
//
// Covered: every workspace package (root package.json "workspaces") that is not private,
// and in it every package.json "exports" subpath with a "types" condition. Subpath "."
// reports to <package>/api/index.api.md, "./x" to api/x.api.md, "./x/y" to api/x/y.api.md.
//
// The reports are API Extractor's, generated from the built declarations (dist/, so run
// `npm run build` first), one invocation per entry point, all on one TypeScript program
// (API Extractor's CompilerState). Only the report is produced: no .d.ts rollup, no doc
// model, no tsdoc-metadata.json. Messages:
// - API Extractor's findings (ae-forgotten-export, ae-incompatible-release-tags, ...) are
//   written into the report text, where the reviewer sees them; they do not fail the run.
//   ae-missing-release-tag and ae-undocumented are off (fleetd uses no release tags), and
//   so are TSDoc syntax messages (doc comment style is not API).
// - A failure to analyse an entry point fails the run, naming package and entry point: a
//   missing .d.ts, an import in the package's .d.ts that does not resolve (a stale build),
//   an error reported by API Extractor, or a crash.
// The text is API Extractor's with four edits, see polish() below.
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPORT_FOLDER = 'api';
const REPORT_EXTENSION = '.api.md';
const UPDATE_HINT = 'run npm run api:update and commit the result';
const MAX_DIFF_LINES = 400;

const extractorMain = createRequire(path.join(ROOT, 'package.json')).resolve('@microsoft/api-extractor');
// API Extractor's own TypeScript and diff, wherever npm put them.
const requireFromExtractor = createRequire(extractorMain);
/** @type {typeof import('@microsoft/api-extractor')} */
const { CompilerState, Extractor, ExtractorConfig, ExtractorLogLevel, ExtractorMessageCategory } = requireFromExtractor(extractorMain);
/** @type {typeof import('typescript')} */
const ts = requireFromExtractor('typescript');

/**
 * @typedef {{ subpath: string, dts: string, report: string }} Entry
 * @typedef {{ dir: string, rel: string, name: string, packageJsonPath: string, entries: Entry[] }} Package
 * @typedef {{ entry: Entry, text?: string, error?: string }} EntryResult
 * @typedef {{ results: EntryResult[], warnings: string[], seconds: number, error?: string }} PackageResult
 */

process.exitCode = main();

function main() {
  let update = false;
  let verbose = false;
  let perPackage = false;
  /** @type {string[]} */
  const only = [];
  for (const arg of process.argv.slice(2)) {
    if (arg === '--update') update = true;
    else if (arg === '--check') update = false;
    else if (arg === '--verbose') verbose = true;
    else if (arg === '--program-per-package') perPackage = true;
    else if (arg === '--help' || arg === '-h') {
      console.log('usage: node .ci/api-report.mjs [--check | --update] [--verbose] [--program-per-package] [package name or folder ...]');
      return 0;
    } else if (arg.startsWith('-')) {
      console.error(`api-report: unknown option ${arg}`);
      return 2;
    } else only.push(arg.replace(/\/+$/, ''));
  }

  const started = performance.now();
  let { packages, skipped } = discoverPackages();
  if (only.length > 0) {
    const unknown = only.filter((o) => !packages.some((p) => p.name === o || p.rel === o));
    if (unknown.length > 0) {
      console.error(`api-report: ${unknown.join(', ')}: not a published workspace package`);
      return 2;
    }
    packages = packages.filter((p) => only.includes(p.name) || only.includes(p.rel));
  }

  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetd-api-report-'));
  /** @type {Map<Package, PackageResult>} */
  const generated = new Map();
  try {
    /** @type {{ files: string[], state?: import('@microsoft/api-extractor').CompilerState } | undefined} */
    const shared = perPackage ? undefined : { files: packages.flatMap((p) => p.entries.map((e) => e.dts)).filter((f) => fs.existsSync(f)) };
    for (const pkg of packages) generated.set(pkg, generatePackage(pkg, tempDir, shared));
  } finally {
    fs.rmSync(tempDir, { recursive: true, force: true });
  }

  /** @type {string[]} */
  const failures = [];
  /** @type {{ file: string, diff: string }[]} */
  const changes = [];
  let written = 0;
  let removed = 0;
  let entryCount = 0;
  for (const pkg of packages) {
    const { results, warnings, seconds, error: packageError } = /** @type {PackageResult} */ (generated.get(pkg));
    if (verbose) console.log(`api-report: ${pkg.name}: ${pkg.entries.length} entry point(s) in ${seconds.toFixed(1)} s`);
    if (packageError !== undefined) {
      failures.push(packageError);
      entryCount += pkg.entries.length - results.length;
    }
    for (const warning of warnings) console.warn(`api-report: ${pkg.name}: warning: ${warning}`);
    for (const { entry, text, error } of results) {
      entryCount += 1;
      const file = path.join(pkg.dir, entry.report);
      const rel = toPosix(path.relative(ROOT, file));
      if (text === undefined) {
        failures.push(error ?? `${labelOf(pkg, entry)}: no report`);
        continue;
      }
      const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').replace(/\r\n/g, '\n') : undefined;
      if (committed === text) continue;
      if (update) {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text);
        written += 1;
      } else {
        changes.push({ file: rel, diff: unifiedDiff(rel, committed, text) });
      }
    }
    // Reports of entry points that are gone. (A failed entry point keeps its report.)
    const expected = new Set(pkg.entries.map((e) => e.report));
    for (const report of committedReports(pkg)) {
      if (expected.has(report)) continue;
      const file = path.join(pkg.dir, report);
      const rel = toPosix(path.relative(ROOT, file));
      if (update) {
        fs.rmSync(file);
        removed += 1;
        for (let dir = path.dirname(file); dir !== pkg.dir && fs.readdirSync(dir).length === 0; dir = path.dirname(dir)) fs.rmdirSync(dir);
      } else {
        changes.push({
          file: rel,
          diff: `${rel}: no "exports" entry of ${pkg.name} reports here any more\n${unifiedDiff(rel, fs.readFileSync(file, 'utf8'), undefined)}`,
        });
      }
    }
  }

  const summary = `${entryCount} entry points of ${packages.length} packages in ${((performance.now() - started) / 1000).toFixed(1)} s`;
  if (failures.length > 0) {
    console.error(`api-report: analysis failed, no report for these entry points:\n`);
    for (const failure of failures) console.error(`${failure}\n`);
  }
  if (update) {
    console.log(`api-report: ${written} report(s) written, ${removed} removed (${summary})`);
    if (skipped.length > 0 && only.length === 0) console.log(`api-report: not covered: ${skipped.join(', ')}`);
    return failures.length > 0 ? 1 : 0;
  }
  if (changes.length > 0) {
    console.error(`api-report: the public API differs from ${changes.length} committed report(s):\n`);
    for (const change of changes) console.error(`${change.diff}\n`);
    console.error(`api-report: out of date: ${changes.map((c) => c.file).join(', ')}`);
    console.error(`api-report: if the change is intended, ${UPDATE_HINT}.`);
    return 1;
  }
  if (failures.length > 0) return 1;
  console.log(`api-report: ${summary}: every report is up to date`);
  return 0;
}

// ---------------------------------------------------------------------------------
// Which packages and entry points

/** @param {string} file */
function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** @param {string} text */
function toPosix(text) {
  return text.split(path.sep).join('/');
}

/**
 * `@fleetd/core`, `@fleetd/core/testing`: how users import the entry point.
 * @param {Package} pkg
 * @param {Entry} entry
 */
function labelOf(pkg, entry) {
  return entry.subpath === '.' ? pkg.name : `${pkg.name}${entry.subpath.slice(1)}`;
}

/**
 * The "types" target of an exports value: `{ types, default }`, or nested conditions.
 * @param {unknown} value
 * @returns {string | undefined}
 */
function typesTarget(value) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  for (const [condition, target] of Object.entries(value)) {
    if (condition === 'types' && typeof target === 'string') return target;
    const nested = typesTarget(target);
    if (nested !== undefined) return nested;
  }
  return undefined;
}

/**
 * The report of an exports subpath, relative to the package.
 * @param {string} subpath
 */
function reportPathOf(subpath) {
  return `${REPORT_FOLDER}/${subpath === '.' ? 'index' : subpath.slice(2)}${REPORT_EXTENSION}`;
}

/** @returns {{ packages: Package[], skipped: string[] }} */
function discoverPackages() {
  /** @type {Package[]} */
  const packages = [];
  /** @type {string[]} */
  const skipped = [];
  for (const pattern of readJson(path.join(ROOT, 'package.json')).workspaces ?? []) {
    if (!pattern.endsWith('/*')) throw new Error(`api-report: workspaces pattern ${JSON.stringify(pattern)} is not supported (only "folder/*")`);
    const parent = path.join(ROOT, pattern.slice(0, -2));
    const children = fs
      .readdirSync(parent, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    for (const child of children.sort()) {
      const dir = path.join(parent, child);
      const rel = toPosix(path.relative(ROOT, dir));
      const packageJsonPath = path.join(dir, 'package.json');
      if (!fs.existsSync(packageJsonPath)) continue;
      const manifest = readJson(packageJsonPath);
      if (manifest.private === true) {
        skipped.push(`${rel} (private)`);
        continue;
      }
      /** @type {Record<string, unknown>} */
      let exportsMap = {};
      if (typeof manifest.exports === 'string' || Array.isArray(manifest.exports)) exportsMap = { '.': manifest.exports };
      else if (manifest.exports && typeof manifest.exports === 'object') {
        // Either subpaths ("." , "./x") or the conditions of "." alone.
        exportsMap = Object.keys(manifest.exports).every((k) => k.startsWith('.')) ? manifest.exports : { '.': manifest.exports };
      } else if (manifest.exports === undefined && typeof manifest.types === 'string') {
        exportsMap = { '.': { types: manifest.types } };
      }
      /** @type {Entry[]} */
      const entries = [];
      for (const [subpath, value] of Object.entries(exportsMap)) {
        const types = typesTarget(value);
        if (types === undefined) continue;
        if (subpath.includes('*'))
          throw new Error(`api-report: ${manifest.name}: exports pattern "${subpath}" is not supported; list its entry points one by one`);
        const report = reportPathOf(subpath);
        const clash = entries.find((e) => e.report === report);
        if (clash) throw new Error(`api-report: ${manifest.name}: exports "${clash.subpath}" and "${subpath}" would share ${report}`);
        entries.push({ subpath, dts: path.resolve(dir, types), report });
      }
      if (entries.length === 0) skipped.push(`${rel} (no "exports" entry with "types")`);
      else packages.push({ dir, rel, name: manifest.name, packageJsonPath, entries });
    }
  }
  return { packages, skipped };
}

/**
 * Committed reports of a package, relative to the package.
 * @param {Package} pkg
 */
function committedReports(pkg) {
  /** @type {string[]} */
  const found = [];
  const walk = (/** @type {string} */ dir) => {
    if (!fs.existsSync(dir)) return;
    for (const item of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, item.name);
      if (item.isDirectory()) walk(full);
      else if (item.name.endsWith(REPORT_EXTENSION)) found.push(toPosix(path.relative(pkg.dir, full)));
    }
  };
  walk(path.join(pkg.dir, REPORT_FOLDER));
  return found.sort();
}

/**
 * @param {string} file
 * @param {string | undefined} before
 * @param {string | undefined} after
 */
function unifiedDiff(file, before, after) {
  /** @type {typeof import('diff')} */
  const { createTwoFilesPatch } = requireFromExtractor('diff');
  const patch = createTwoFilesPatch(
    before === undefined ? '/dev/null' : `a/${file}`,
    after === undefined ? '/dev/null' : `b/${file}`,
    before ?? '',
    after ?? '',
    undefined,
    undefined,
    { context: 3 },
  );
  const lines = patch.replace(/^=+\n/, '').trimEnd().split('\n');
  if (lines.length <= MAX_DIFF_LINES) return lines.join('\n');
  return [...lines.slice(0, MAX_DIFF_LINES), `... and ${lines.length - MAX_DIFF_LINES} more lines: ${UPDATE_HINT} and read git diff`].join('\n');
}

// ---------------------------------------------------------------------------------
// Generating the reports

/**
 * Every report of one package. With `shared`, all packages share one TypeScript program:
 * most of the time goes into building it (@types/node, @fleetd/core, ...), not into the
 * reports.
 * @param {Package} pkg
 * @param {string} tempDir
 * @param {{ files: string[], state?: import('@microsoft/api-extractor').CompilerState } | undefined} shared
 * @returns {PackageResult}
 */
function generatePackage(pkg, tempDir, shared) {
  const started = performance.now();
  /** @type {EntryResult[]} */
  const results = [];
  /** @type {string[]} */
  const warnings = [];
  /** @type {string | undefined} */
  let packageError;
  const done = () => ({ results, warnings, seconds: (performance.now() - started) / 1000, error: packageError });

  const entries = pkg.entries.filter((entry) => fs.existsSync(entry.dts));
  for (const entry of pkg.entries.filter((e) => !entries.includes(e))) {
    results.push({ entry, error: `${labelOf(pkg, entry)}: ${toPosix(path.relative(ROOT, entry.dts))} does not exist: run npm run build first` });
  }
  if (entries.length === 0) return done();

  const outDir = fs.mkdtempSync(path.join(tempDir, 'report-'));
  /** @type {import('@microsoft/api-extractor').CompilerState | undefined} */
  let compilerState;
  /** @type {ReturnType<typeof packageSymbols> | undefined} */
  let symbols;
  for (const [index, entry] of entries.entries()) {
    const label = labelOf(pkg, entry);
    /** @type {string[]} */
    const errors = [];
    const reportName = `entry-${index}`;
    try {
      const config = ExtractorConfig.prepare({
        configObject: extractorConfig(pkg, entry, outDir, reportName, shared?.files ?? entries.map((e) => e.dts)),
        configObjectFullPath: path.join(pkg.dir, 'api-extractor.json'), // none exists: paths above are absolute
        packageJsonFullPath: pkg.packageJsonPath,
      });
      if (shared) {
        shared.state ??= CompilerState.create(config, { additionalEntryPoints: shared.files });
        compilerState = shared.state;
      }
      compilerState ??= CompilerState.create(config, { additionalEntryPoints: entries.map((e) => e.dts) });
      if (symbols === undefined) {
        symbols = packageSymbols(/** @type {import('typescript').Program} */ (compilerState.program), pkg, entries);
        if (symbols.problems.length > 0) {
          const names = entries.map((e) => labelOf(pkg, e)).join(', ');
          packageError = `${names}: the declarations of ${pkg.name} do not resolve:\n  ${symbols.problems.join('\n  ')}\n  (a stale build? run npm run build)`;
          break;
        }
      }
      const result = Extractor.invoke(config, {
        localBuild: true, // the report goes to the temporary folder; this script compares
        compilerState,
        messageCallback(message) {
          message.handled = true;
          if (
            message.category === ExtractorMessageCategory.Console &&
            message.logLevel !== ExtractorLogLevel.Error &&
            message.logLevel !== ExtractorLogLevel.Warning
          )
            return;
          const text = `${label}: ${message.formatMessageWithLocation(`${ROOT}${path.sep}`)}`;
          if (message.logLevel === ExtractorLogLevel.Error) errors.push(text);
          else if (message.logLevel === ExtractorLogLevel.Warning && !warnings.includes(text)) warnings.push(text);
        },
      });
      if (!result.succeeded && errors.length === 0) errors.push(`API Extractor reported ${result.errorCount} error(s)`);
      if (errors.length > 0) {
        results.push({ entry, error: `${label}: analysis failed:\n  ${errors.join('\n  ')}` });
        continue;
      }
      const text = fs.readFileSync(path.join(outDir, `${reportName}${REPORT_EXTENSION}`), 'utf8');
      results.push({ entry, text: polish(text, pkg, entries, index, symbols) });
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      results.push({ entry, error: `${label}: analysis failed: ${detail}${errors.length > 0 ? `\n  ${errors.join('\n  ')}` : ''}` });
    }
  }
  return done();
}

/**
 * API Extractor's configuration for one entry point: what api-extractor.json would hold.
 * @param {Package} pkg
 * @param {Entry} entry
 * @param {string} outDir
 * @param {string} reportName
 * @param {string[]} files
 * @returns {import('@microsoft/api-extractor').IConfigFile}
 */
function extractorConfig(pkg, entry, outDir, reportName, files) {
  /** @type {any} */
  const none = 'none';
  /** @type {any} */
  const warning = 'warning';
  /** @type {any} */
  const error = 'error';
  return {
    projectFolder: pkg.dir,
    mainEntryPointFilePath: entry.dts,
    compiler: {
      // Module resolution as a user's (tsconfig.base.json). skipLibCheck: the .d.ts come from
      // a checked build; packageSymbols() checks that their imports still resolve.
      overrideTsconfig: {
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2023'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          types: ['node'],
          strict: true,
          exactOptionalPropertyTypes: true,
          skipLibCheck: true,
        },
        files,
      },
    },
    apiReport: {
      enabled: true,
      reportFileName: reportName,
      reportFolder: outDir,
      reportTempFolder: outDir,
      // A referenced but unexported type is named with a warning, not copied into the report.
      includeForgottenExports: false,
    },
    docModel: { enabled: false },
    dtsRollup: { enabled: false },
    tsdocMetadata: { enabled: false },
    newlineKind: 'lf',
    messages: {
      compilerMessageReporting: { default: { logLevel: error } },
      extractorMessageReporting: {
        default: { logLevel: warning, addToApiReportFile: true },
        'ae-missing-release-tag': { logLevel: none },
        'ae-undocumented': { logLevel: none },
        'ae-wrong-input-file-type': { logLevel: error },
      },
      tsdocMessageReporting: { default: { logLevel: none } },
    },
  };
}

/**
 * What the package's declarations hold: its own symbols by name, what each entry point
 * exports, and the imports that do not resolve. An entry's signature may name a type its
 * entry point does not export but another entry point of the package does
 * (`@fleetd/core/testing` returns the `PluginHost` of `@fleetd/core`); polish() says so.
 * @param {import('typescript').Program} program
 * @param {Package} pkg
 * @param {Entry[]} entries
 */
function packageSymbols(program, pkg, entries) {
  const checker = program.getTypeChecker();
  const inPackage = (/** @type {string} */ file) => {
    const rel = path.relative(pkg.dir, path.resolve(file));
    return !rel.startsWith('..') && !path.isAbsolute(rel) && !rel.split(path.sep).includes('node_modules');
  };
  const resolve = (/** @type {import('typescript').Symbol} */ symbol) => {
    const exported = checker.getExportSymbolOfSymbol(symbol); // exported declarations appear twice
    return exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  };
  /** @type {Map<string, Set<import('typescript').Symbol>>} */
  const byName = new Map();
  /** @type {string[]} */
  const problems = [];
  for (const sourceFile of program.getSourceFiles()) {
    if (!inPackage(sourceFile.fileName)) continue;
    const moduleSymbol = checker.getSymbolAtLocation(sourceFile);
    /** @type {Map<string, import('typescript').Symbol> | undefined} */
    const locals = /** @type {any} */ (sourceFile).locals;
    for (const candidate of [...(moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : []), ...(locals?.values() ?? [])]) {
      const symbol = resolve(candidate);
      if (!(symbol.declarations ?? []).some((d) => inPackage(d.getSourceFile().fileName))) continue;
      const set = byName.get(symbol.name) ?? new Set();
      set.add(symbol);
      byName.set(symbol.name, set);
    }
    problems.push(...unresolvedImports(sourceFile, checker));
  }
  const exported = entries.map((entry) => {
    const sourceFile = program.getSourceFile(entry.dts);
    const moduleSymbol = sourceFile && checker.getSymbolAtLocation(sourceFile);
    /** @type {Map<import('typescript').Symbol, string>} */
    const names = new Map();
    for (const symbol of moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : []) {
      const target = resolve(symbol);
      if (!names.has(target)) names.set(target, symbol.name);
    }
    return names;
  });
  return { byName, exported, problems };
}

/**
 * Imports and re-exports of a .d.ts that name a module that does not resolve, or a name a
 * workspace package does not export: what a declaration built against an older sibling holds.
 * @param {import('typescript').SourceFile} sourceFile
 * @param {import('typescript').TypeChecker} checker
 */
function unresolvedImports(sourceFile, checker) {
  /** @type {string[]} */
  const problems = [];
  const where = (/** @type {import('typescript').Node} */ node) => {
    const { line, character } = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile));
    return `${toPosix(path.relative(ROOT, sourceFile.fileName))}:${line + 1}:${character + 1}`;
  };
  for (const statement of sourceFile.statements) {
    if (
      !(ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) ||
      !statement.moduleSpecifier ||
      !ts.isStringLiteral(statement.moduleSpecifier)
    )
      continue;
    const specifier = statement.moduleSpecifier.text;
    const moduleSymbol = checker.getSymbolAtLocation(statement.moduleSpecifier);
    if (moduleSymbol === undefined) {
      problems.push(`${where(statement)}: cannot resolve "${specifier}"`);
      continue;
    }
    // Names are checked only in the workspace's own declarations (third-party typings may use `export =`).
    const declaration = moduleSymbol.declarations?.[0];
    const target = declaration ? path.resolve(declaration.getSourceFile().fileName) : '';
    if (!target.startsWith(`${ROOT}${path.sep}`) || target.split(path.sep).includes('node_modules')) continue;
    const available = new Set(checker.getExportsOfModule(moduleSymbol).map((s) => s.name));
    /** @type {import('typescript').NodeArray<import('typescript').ImportSpecifier | import('typescript').ExportSpecifier> | undefined} */
    let specifiers;
    if (ts.isImportDeclaration(statement)) {
      const bindings = statement.importClause?.namedBindings;
      specifiers = bindings && ts.isNamedImports(bindings) ? bindings.elements : undefined;
    } else if (statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      specifiers = statement.exportClause.elements;
    }
    for (const specifier_ of specifiers ?? []) {
      const name = (specifier_.propertyName ?? specifier_.name).text;
      if (!available.has(name)) problems.push(`${where(specifier_)}: "${specifier}" has no export "${name}"`);
    }
  }
  return problems;
}

/**
 * API Extractor's text, with four deterministic edits:
 * - the heading names the entry point (`@fleetd/core/testing`), not only the package;
 * - a forgotten export (ae-forgotten-export) that another entry point of the same package
 *   exports becomes a note naming that entry point: the type is public, and the other
 *   report shows its changes;
 * - the other forgotten exports name the entry point's file as `dist/testing/index.d.ts`,
 *   not `index.d.ts`;
 * - locations at the end lose line and column, so editing another part of the source file
 *   does not change the report.
 * @param {string} text
 * @param {Package} pkg
 * @param {Entry[]} entries
 * @param {number} index
 * @param {ReturnType<typeof packageSymbols>} symbols
 */
function polish(text, pkg, entries, index, symbols) {
  const entry = /** @type {Entry} */ (entries[index]);
  const entryFile = toPosix(path.relative(pkg.dir, entry.dts));
  const exportedElsewhere = (/** @type {string} */ name) => {
    const candidates = symbols.byName.get(name);
    if (candidates === undefined || candidates.size !== 1) return undefined; // ambiguous: keep the warning
    const [symbol] = candidates;
    for (const [other, names] of symbols.exported.entries()) {
      const exportName = other === index ? undefined : names.get(/** @type {import('typescript').Symbol} */ (symbol));
      if (exportName !== undefined) {
        return `"${name}" is exported by "${labelOf(pkg, /** @type {Entry} */ (entries[other]))}"${exportName === name ? '' : ` as "${exportName}"`}`;
      }
    }
    return undefined;
  };
  const forgotten = /(\(ae-forgotten-export\) The symbol "([^"]+)" needs to be exported by the entry point )(\S+)$/;
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  for (const [i, original] of lines.entries()) {
    let line = original;
    if (i === 0) line = line.replace(`## API Report File for "${pkg.name}"`, `## API Report File for "${labelOf(pkg, entry)}"`);
    // At the end of the report: `// src/x.ts:12:3 - (ae-...) ...`.
    line = line.replace(/^(\/\/ [^\s:]+\.[cm]?tsx?):\d+:\d+( - \(ae-)/, '$1$2');
    const match = forgotten.exec(line);
    if (match) {
      const note = exportedElsewhere(/** @type {string} */ (match[2]));
      line =
        note === undefined
          ? line.replace(forgotten, `$1${entryFile}`)
          : line.replace(/Warning: \(ae-forgotten-export\).*$/, `Note: ${note}`).replace(/ - \(ae-forgotten-export\).*$/, ` - note: ${note}`);
    }
    lines[i] = line;
  }
  // The list at the end is headed "Warnings were encountered"; it may now hold notes only.
  const head = lines.indexOf('// Warnings were encountered during analysis:');
  if (head !== -1) {
    let end = head + 1;
    while (end < lines.length && lines[end] !== '') end += 1;
    if (!lines.slice(head + 1, end).some((l) => / - \(ae-/.test(l))) lines[head] = '// Notes from the analysis:';
  }
  return lines.join('\n');
}
