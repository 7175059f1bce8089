// Types of doc-blocks.mjs, for the docs check that reads the same blocks (docs/check/plugin-layout.test.ts).
export interface MarkedBlock {
  readonly marker: string;
  readonly lang: string;
  readonly text: string;
  readonly where: string;
}
export interface ShellCommand {
  readonly argv: readonly string[];
  readonly line: string;
  readonly where: string;
}
export function releaseCheckBlocks(markdown: string, file: string): MarkedBlock[];
export function onlyBlock(markdown: string, file: string, marker: string): MarkedBlock;
export function fileBlocks(markdown: string, file: string): [path: string, text: string][];
export function shellCommands(block: Pick<MarkedBlock, 'text' | 'where'>): ShellCommand[];
