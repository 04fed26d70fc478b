// Builds nsqd, nsqlookupd and the clients to_nsq and nsq_tail (the interop specs
// feed and read topics with them, as producers and consumers that are not rxmini)
// v1.3.0 from the Go module github.com/nsqio/nsq
// (tools/nsq pins it, with the replace line its go.mod needs) into a cache folder
// outside the repository, and reuses them when they are already there.
//
//   node scripts/nsq-build.mjs           build or reuse; exit 2 when Go is missing
//   node scripts/nsq-build.mjs --pretest as `npm test` runs it: silent when the cache
//                                        is warm or NSQD_TCP_ADDRESS names a running
//                                        nsqd; without Go it says so and exits 0, and
//                                        the integration specs then skip loudly
//                                        (a failure under CI=true)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { nsqBinDir } from './nsq-paths.mjs';

const pretest = process.argv.includes('--pretest');
const dir = nsqBinDir();
const apps = ['nsqd', 'nsqlookupd', 'to_nsq', 'nsq_tail'];
const wanted = apps.map((b) => `${dir}/${b}`);
// only what is missing: a cache built before the clients were added keeps its daemons (which may be running)
const missing = apps.filter((b) => !existsSync(`${dir}/${b}`));

if (pretest && process.env.NSQD_TCP_ADDRESS) process.exit(0);
if (wanted.every((f) => existsSync(f))) {
  if (!pretest) console.log(`nsq: reusing ${dir}`);
  process.exit(0);
}
const goBin = ['go', '/usr/local/go/bin/go'].find((g) => spawnSync(g, ['version']).status === 0);
if (!goBin) {
  console.error(
    'nsq: Go is not installed; cannot build nsqd (set NSQD_TCP_ADDRESS to use a running nsqd instead)',
  );
  process.exit(pretest ? 0 : 2);
}
mkdirSync(dir, { recursive: true });
console.log(`nsq: building ${missing.join(', ')} v1.3.0 into ${dir} (once; about a minute)`);
execFileSync(goBin, ['build', '-o', `${dir}/`, ...missing.map((b) => `github.com/nsqio/nsq/apps/${b}`)], {
  cwd: 'tools/nsq',
  stdio: 'inherit',
  env: { ...process.env, CGO_ENABLED: '0' },
});
console.log(`nsq: built ${wanted.join(' ')}`);
