// The README blocks release:check runs as written: a fenced block right after a
// `<!-- release-check: NAME -->` line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The text of the block marked `name` in the root README.md; throws when there is not exactly one. */
export function readmeBlock(root, name) {
  const lines = readFileSync(join(root, 'README.md'), 'utf8').split('\n');
  const found = [];
  lines.forEach((line, index) => {
    if (line.trim() !== `<!-- release-check: ${name} -->`) return;
    const open = lines.findIndex((candidate, at) => at > index && candidate.trim() !== '');
    if (!/^```/.test(lines[open] ?? '')) throw new Error(`README.md:${index + 1}: the release-check marker ${name} is not followed by a fenced block`);
    const close = lines.findIndex((candidate, at) => at > open && candidate.trim().startsWith('```'));
    found.push(lines.slice(open + 1, close).join('\n'));
  });
  if (found.length !== 1) throw new Error(`README.md: expected one block marked <!-- release-check: ${name} -->, found ${found.length}`);
  return `${found[0]}\n`;
}

/** npm's warnings about engines and peer dependencies in an install's output. */
export function engineAndPeerWarnings(output) {
  return output
    .split('\n')
    .filter(
      (line) =>
        /^npm (warn|WARN|error|ERR!)/.test(line) && /EBADENGINE|ERESOLVE|peer dep|peerDependenc|unmet peer|conflicting peer|Unsupported engine/i.test(line),
    );
}
