/**
 * Type-checks ```ts blocks as modules of their own, written into
 * docs/.generated/ (gitignored) so workspace packages (`fleetd`, `@fleetd/core`)
 * resolve as they do for a user. One program for every block: one start-up cost.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from './blocks.js';
import type { CodeBlock } from './blocks.js';

export const GENERATED_DIR = join(REPO_ROOT, 'docs/.generated');

/** Diagnostics per block (`where`), each as `line N: message` relative to the block's first line. */
export function typeCheckBlocks(blocks: readonly CodeBlock[]): Map<string, string[]> {
  rmSync(GENERATED_DIR, { recursive: true, force: true });
  mkdirSync(GENERATED_DIR, { recursive: true });
  const fileOf = new Map<string, CodeBlock>();
  for (const block of blocks) {
    // One directory per doc; `<!-- docs-check: file index.ts -->` names a block so later blocks can import it.
    const dir = join(GENERATED_DIR, block.file.replace(/[^A-Za-z0-9]+/g, '-'));
    mkdirSync(dir, { recursive: true });
    const named = /^file\s+([\w./-]+\.ts)$/.exec(block.marker ?? '')?.[1];
    const name = join(dir, named ?? `block-${block.line}.ts`);
    // `export {}` makes every block a module (top-level await, no global clashes between blocks).
    writeFileSync(name, `${block.text}\nexport {};\n`);
    fileOf.set(name, block);
  }
  const configFile = ts.readConfigFile(join(REPO_ROOT, 'tsconfig.base.json'), (path) => ts.sys.readFile(path));
  const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, REPO_ROOT);
  // Examples may declare a value only to show it; unused names are not mistakes in docs.
  const options: ts.CompilerOptions = {
    ...parsed.options,
    noEmit: true,
    declaration: false,
    declarationMap: false,
    sourceMap: false,
    noUnusedLocals: false,
    noUnusedParameters: false,
  };
  const program = ts.createProgram([...fileOf.keys()], options);
  const results = new Map<string, string[]>(blocks.map((block) => [block.where, []]));
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const block = diagnostic.file === undefined ? undefined : fileOf.get(diagnostic.file.fileName);
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    if (block === undefined || diagnostic.file === undefined || diagnostic.start === undefined) {
      for (const list of results.values()) list.push(`(program) ${message}`);
      continue;
    }
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    results.get(block.where)?.push(`${block.file}:${block.line + 1 + line}: ${message}`);
  }
  return results;
}
