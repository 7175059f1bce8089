/**
 * The system's chromium, driven headless by playwright-core: the browser the
 * dashboard's tests and benchmark use. Nothing is downloaded: playwright-core
 * carries no browser, Debian's `chromium` package is the one (`.ci/prepare`
 * installs it). A missing browser fails loudly, never skips.
 */
import { accessSync, constants } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

/** Where a Debian (chromium) or Ubuntu (chromium-browser) install puts it. */
const SYSTEM_CHROMIUMS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'] as const;

const INSTALL_HINT =
  "install Debian's chromium with `apt-get install -y chromium` (or run `./.ci/prepare`, which installs what the tests need), or set CHROMIUM_PATH to a chromium binary";

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** CHROMIUM_PATH when set (it must exist), else the first system chromium found. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  const chosen = env['CHROMIUM_PATH'];
  if (chosen !== undefined && chosen !== '') {
    if (isExecutable(chosen)) return chosen;
    throw new Error(`CHROMIUM_PATH is ${chosen}, which is not an executable file: ${INSTALL_HINT}`);
  }
  const found = SYSTEM_CHROMIUMS.find(isExecutable);
  if (found === undefined) throw new Error(`no chromium found (looked for ${SYSTEM_CHROMIUMS.join(', ')}): ${INSTALL_HINT}`);
  return found;
}

/**
 * Launches the system chromium headless. `--no-sandbox`: the tests run as root in CI,
 * where chromium refuses its sandbox.
 */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: findChromium(), headless: true, args: ['--no-sandbox'] });
}
