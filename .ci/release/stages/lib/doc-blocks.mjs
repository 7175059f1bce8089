// Reading the blocks that release:check runs or writes from Markdown, so the README and
// docs/plugin-authoring.md are checked as written instead of through a copy of them.
// A block is marked by an HTML comment among the comment lines right above its fence:
//   <!-- release-check: plugin-author -->              (a shell block the README shows)
//   <!-- release-check: file my-plugin/src/index.ts -->  (a file, at that path)
//   <!-- release-check: commands -->                    (the commands a page shows)
// Other markers (the docs check's `docs-check: ...`) may sit next to it, in any order.

const FENCE = /^(\s*)(`{3,})\s*([\w-]*)/;
const COMMENT = /^\s*<!--\s*(.*?)\s*-->\s*$/;
const RELEASE_CHECK = /^release-check:\s*(.+)$/;

/**
 * Every fenced block of `markdown` marked `<!-- release-check: ... -->`, in page order:
 * `{ marker, lang, text, where }`, `where` as `file:line` of the opening fence.
 */
export function releaseCheckBlocks(markdown, file) {
  const lines = markdown.split('\n');
  const blocks = [];
  for (let index = 0; index < lines.length; index++) {
    const open = FENCE.exec(lines[index]);
    if (open === null) continue;
    const [, indent, ticks, lang] = open;
    const end = closingFence(lines, index, ticks);
    const text = lines
      .slice(index + 1, end)
      .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line.trimStart()))
      .join('\n');
    for (const marker of markersAbove(lines, index)) blocks.push({ marker, lang, text: `${text}\n`, where: `${file}:${index + 1}` });
    index = end;
  }
  return blocks;
}

function closingFence(lines, open, ticks) {
  for (let at = open + 1; at < lines.length; at++) {
    const line = lines[at].trim();
    if (line.startsWith(ticks) && line.replace(/`/g, '') === '') return at;
  }
  return lines.length;
}

/** The release-check markers among the comment lines right above line `index` (blank lines between are allowed). */
function markersAbove(lines, index) {
  const markers = [];
  for (let at = index - 1; at >= 0; at--) {
    if (lines[at].trim() === '') continue;
    const comment = COMMENT.exec(lines[at]);
    if (comment === null) break;
    const marker = RELEASE_CHECK.exec(comment[1])?.[1];
    if (marker !== undefined) markers.unshift(marker);
  }
  return markers;
}

/** The one block marked `marker`; throws naming the file when there is none or more than one. */
export function onlyBlock(markdown, file, marker) {
  const found = releaseCheckBlocks(markdown, file).filter((block) => block.marker === marker);
  if (found.length !== 1) {
    throw new Error(`${file}: expected one block marked <!-- release-check: ${marker} -->, found ${found.length}`);
  }
  return found[0];
}

/** The files a page marks `file PATH`, as [path, text] pairs; a path outside the directory or given twice is refused. */
export function fileBlocks(markdown, file) {
  const files = new Map();
  for (const block of releaseCheckBlocks(markdown, file)) {
    const path = /^file\s+(\S+)$/.exec(block.marker)?.[1];
    if (path === undefined) continue;
    if (path.startsWith('/') || path.split('/').includes('..')) throw new Error(`${block.where}: file ${path} must be a relative path inside the package`);
    if (files.has(path)) throw new Error(`${block.where}: file ${path} is shown twice`);
    files.set(path, block.text);
  }
  return [...files];
}

// Shell syntax the commands may not use: each line runs as one command, as written.
const SHELL_SYNTAX = /[|&;<>()$`\\*?{}]/;

/**
 * The commands of a shell block, one per line, as argument lists: blank lines and `#`
 * comments left out, a leading `$ ` prompt dropped, 'single' and "double" quotes
 * grouping words. Pipes, redirections, variables and the like are refused, naming the line.
 */
export function shellCommands(block) {
  const commands = [];
  block.text.split('\n').forEach((raw, offset) => {
    const line = raw.replace(/^\s*\$\s+/, '').trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `${block.where.replace(/:\d+$/, '')}:${Number(block.where.split(':').at(-1)) + 1 + offset}`;
    const unquoted = line.replace(/'[^']*'|"[^"]*"/g, '');
    if (SHELL_SYNTAX.test(unquoted) || /['"]/.test(unquoted))
      throw new Error(`${where}: ${line}: only plain commands run here (no pipes, redirections, variables or globs)`);
    commands.push({ argv: [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]), line, where });
  });
  return commands;
}
