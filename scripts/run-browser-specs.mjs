// Runs the bundled browser-safe specs in a real headless Chromium through karma.
// The browser comes from scripts/find-chromium.mjs. Without one, the run is a loud
// skip with its reason, and a failure under CI=true.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { findChromium } from './find-chromium.mjs';

const browser = await findChromium();
if (browser.missing) {
  const bar = '!'.repeat(78);
  console.log(`\n${bar}\n!!! BROWSER SPECS WERE SKIPPED: ${browser.missing}\n${bar}\n`);
  console.log('browser specs: 0 passed, 0 failed, 0 skipped');
  process.exit(process.env.CI === 'true' ? 1 : 0);
}
console.log(`browser: ${browser.source}`);
const karma = createRequire(import.meta.url).resolve('karma/bin/karma');
const run = spawnSync(process.execPath, [karma, 'start', 'karma.conf.js'], {
  stdio: 'inherit',
  env: { ...process.env, CHROME_BIN: browser.bin, RXMINI_CHROME_FLAGS: JSON.stringify(browser.flags) },
});
process.exit(run.status ?? 1);
