/**
 * Line numbers for problems in YAML and JSON config files: the `yaml` package
 * keeps every node's source range, so a path maps back to its key's line.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import type { ConfigPath } from './issues.js';

export type LineLocator = (path: ConfigPath) => number | undefined;

/**
 * A locator for `contents`; `base` is where the config sits in the document
 * (`["fleetd"]` in package.json). Paths that do not exist map to the line of
 * their deepest existing ancestor.
 */
export function createLineLocator(contents: string, base: ConfigPath = []): LineLocator {
  const lineCounter = new LineCounter();
  const document = parseDocument(contents, { lineCounter, uniqueKeys: false });
  return (path) => {
    let node: unknown = document.contents;
    let offset: number | undefined = rangeStart(node);
    for (const segment of [...base, ...path]) {
      const step = child(node, segment);
      if (step === undefined) break;
      node = step.node;
      offset = step.offset ?? offset;
    }
    return offset === undefined ? undefined : lineCounter.linePos(offset).line;
  };
}

function rangeStart(node: unknown): number | undefined {
  return (node as YamlNode | null)?.range?.[0];
}

function child(node: unknown, segment: string | number): { node: unknown; offset: number | undefined } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
    // The key's position: an unknown or wrong option is reported where its name is written.
    return pair === undefined ? undefined : { node: pair.value, offset: rangeStart(pair.key) };
  }
  if (isSeq(node) && typeof segment === 'number') {
    const item = node.items[segment];
    return item === undefined ? undefined : { node: item, offset: rangeStart(item) };
  }
  return undefined;
}
