// Packs rxmini as users get it, unpacks it into a scratch consumer folder and
// loads both entry points (`.` and `./testing`) through require and import.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
// inside the checkout, so that rxmini's dependencies resolve from this checkout's
// node_modules: no registry and no npm cache needed (a fresh machine has neither warm)
mkdirSync('.build', { recursive: true });
const consumer = mkdtempSync(resolve('.build', 'package-consumer-'));
try {
  const tarball = run('npm', ['pack', '--silent', '--pack-destination', consumer], process.cwd())
    .trim()
    .split('\n')
    .pop();
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  // what npm install does with the package itself: its packed files under node_modules/rxmini
  const installed = join(consumer, 'node_modules', 'rxmini');
  mkdirSync(installed, { recursive: true });
  run('tar', ['-xzf', join(consumer, tarball), '-C', installed, '--strip-components=1'], consumer);
  const names = [];
  for (const entry of ['rxmini', 'rxmini/testing']) {
    const cjs = run(
      'node',
      ['-e', `console.log(Object.keys(require('${entry}')).sort().join(','))`],
      consumer,
    ).trim();
    const esm = run(
      'node',
      [
        '--input-type=module',
        '-e',
        `const m = await import('${entry}'); console.log(Object.keys(m).filter((k) => k !== 'default').sort().join(','))`,
      ],
      consumer,
    ).trim();
    if (cjs.length === 0) throw new Error(`${entry}: require() gave no exports`);
    if (cjs !== esm)
      throw new Error(`${entry}: CJS and ESM export different names\n cjs: ${cjs}\n esm: ${esm}`);
    names.push(`${entry}: ${cjs.split(',').length} exports`);
  }
  console.log(`package check: both entry points load through require and import (${names.join('; ')})`);
} finally {
  rmSync(consumer, { recursive: true, force: true });
}
