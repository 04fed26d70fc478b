// Finds a headless Chromium for karma without a manual step, in this order:
//   1. CHROME_BIN, when set (the user's choice wins);
//   2. the Chromium inside the @sparticuz/chromium devDependency: a binary shipped in
//      its registry package, unpacked once into ~/.cache/rxmini-chromium/<version>
//      ($XDG_CACHE_HOME respected), nothing downloaded;
//   3. the system's chromium / chromium-browser / google-chrome on the PATH.
// Returns { bin, flags, source }, or { missing } with the reason.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Flags for any Chromium run as root in a container (karma's ChromeHeadless adds --headless). */
const commonFlags = createRequire(import.meta.url)('./chromium-flags.cjs');

/** The packaged build is chrome-headless-shell for serverless hosts: it needs these too. */
const packagedFlags = ['--headless=shell', '--no-zygote', '--single-process'];

const onPath = (name) => {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
};

const packaged = async () => {
  let entry;
  try {
    entry = createRequire(import.meta.url).resolve('@sparticuz/chromium');
  } catch {
    return undefined; // not installed (npm install --omit=dev)
  }
  // its exports hide package.json: read it from the package folder
  const root = entry.slice(0, entry.lastIndexOf('/build/') + 1);
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const dir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'rxmini-chromium', version);
  const bin = join(dir, 'chromium');
  if (!existsSync(bin)) {
    // the package unpacks into os.tmpdir(); point that at our versioned cache folder
    mkdirSync(dir, { recursive: true });
    const previous = process.env.TMPDIR;
    process.env.TMPDIR = dir;
    try {
      const { default: chromium } = await import('@sparticuz/chromium');
      chromium.setGraphicsMode = false;
      await chromium.executablePath();
    } finally {
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
    }
  }
  return { bin, flags: [...commonFlags, ...packagedFlags], source: `@sparticuz/chromium ${version}` };
};

export const findChromium = async () => {
  if (process.env.CHROME_BIN) {
    return existsSync(process.env.CHROME_BIN)
      ? { bin: process.env.CHROME_BIN, flags: commonFlags, source: 'CHROME_BIN' }
      : { missing: `CHROME_BIN is ${process.env.CHROME_BIN}, which does not exist` };
  }
  try {
    const found = await packaged();
    if (found) return found;
  } catch (error) {
    const system = systemChromium();
    if (system) return system;
    return { missing: `@sparticuz/chromium could not be unpacked: ${error.message}` };
  }
  return (
    systemChromium() ?? {
      missing:
        'no headless Chromium: @sparticuz/chromium is not installed (devDependencies omitted?), ' +
        'CHROME_BIN is not set, and there is no chromium on the PATH',
    }
  );
};

const systemChromium = () => {
  const bin = ['chromium', 'chromium-browser', 'google-chrome'].map(onPath).find(Boolean);
  return bin ? { bin, flags: commonFlags, source: `system (${bin})` } : undefined;
};
