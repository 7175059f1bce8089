/** Runs a program to its end and keeps what it printed, for tests that check a command's output and exit status. */
import { execFile } from 'node:child_process';

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `command` (program and arguments); never rejects: a failure to start is exit status 1 with the reason. */
export function runCommand(
  command: readonly string[],
  options: { readonly cwd?: string; readonly env?: NodeJS.ProcessEnv; readonly timeoutMs?: number } = {},
): Promise<CommandResult> {
  const [program, ...args] = command as [string, ...string[]];
  return new Promise((resolve) => {
    execFile(
      program,
      args,
      { cwd: options.cwd, env: options.env, timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr: error !== null && typeof error.code !== 'number' && stderr === '' ? error.message : stderr });
      },
    );
  });
}
