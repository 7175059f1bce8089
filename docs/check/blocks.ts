/**
 * Fenced code blocks of the Markdown files the docs check reads, with the
 * `<!-- docs-check: ... -->` marker written on the line before a block.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CodeBlock {
  /** Repository-relative path of the Markdown file. */
  readonly file: string;
  /** Line of the opening fence (1-based). */
  readonly line: number;
  readonly lang: string;
  readonly text: string;
  /** The marker on the line before the fence: `skip (why)`, `config`, `unit web@.service`... */
  readonly marker: string | undefined;
  /** `docs/cli.md:42`, how every failure names its block. */
  readonly where: string;
}

const FENCE = /^(\s*)(`{3,})\s*([\w-]*)/;
const MARKER = /^\s*<!--\s*docs-check:\s*(.*?)\s*-->\s*$/;

/** Every fenced block of one Markdown text; indented fences (inside list items) lose their indentation. */
export function extractBlocks(file: string, markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let index = 0; index < lines.length; index++) {
    const open = FENCE.exec(lines[index] ?? '');
    if (open === null) continue;
    const [, indent = '', ticks = '```', lang = ''] = open;
    const body: string[] = [];
    let end = index + 1;
    for (; end < lines.length; end++) {
      const line = lines[end] ?? '';
      if (line.trim().startsWith(ticks) && line.trim().replace(/`/g, '') === '') break;
      body.push(line.startsWith(indent) ? line.slice(indent.length) : line.trimStart());
    }
    const marker = MARKER.exec(previousNonEmpty(lines, index) ?? '')?.[1];
    blocks.push({ file, line: index + 1, lang: lang.toLowerCase(), text: `${body.join('\n')}\n`, marker, where: `${file}:${index + 1}` });
    index = end;
  }
  return blocks;
}

function previousNonEmpty(lines: readonly string[], index: number): string | undefined {
  for (let at = index - 1; at >= 0; at--) if ((lines[at] ?? '').trim() !== '') return lines[at];
  return undefined;
}

/** The Markdown files the check reads: every docs/*.md, the root README and fleetd's README (read-only here). */
export function docFiles(): string[] {
  const docs = readdirSync(join(REPO_ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return [...docs, 'README.md', 'packages/fleetd/README.md'];
}

export function readDoc(file: string): string {
  return readFileSync(join(REPO_ROOT, file), 'utf8');
}

export function allBlocks(): CodeBlock[] {
  return docFiles().flatMap((file) => extractBlocks(file, readDoc(file)));
}

/** `skip (reason)` → the reason; undefined when the block is not skipped. */
export function skipReason(block: CodeBlock): string | undefined {
  const match = /^skip\s*\((.+)\)$/.exec(block.marker ?? '');
  return match?.[1];
}

export function relativeToRepo(path: string): string {
  return relative(REPO_ROOT, path);
}
