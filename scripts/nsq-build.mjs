// Builds nsqd and nsqlookupd v1.3.0 from the Go module github.com/nsqio/nsq
// (tools/nsq pins it, with the replace line its go.mod needs) into a cache folder
// outside the repository, and reuses them when they are already there.
// Prints the folder. Exit code 2 when Go is not available.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { nsqBinDir } from './nsq-paths.mjs';

const dir = nsqBinDir();
const wanted = ['nsqd', 'nsqlookupd'].map((b) => `${dir}/${b}`);
if (wanted.every((f) => existsSync(f))) {
  console.log(`nsq: reusing ${dir}`);
  process.exit(0);
}
const goBin = ['go', '/usr/local/go/bin/go'].find((g) => spawnSync(g, ['version']).status === 0);
if (!goBin) {
  console.error(
    'nsq: Go is not installed; cannot build nsqd (set NSQD_TCP_ADDRESS to use a running nsqd instead)',
  );
  process.exit(2);
}
mkdirSync(dir, { recursive: true });
console.log(`nsq: building nsqd and nsqlookupd v1.3.0 into ${dir}`);
execFileSync(
  goBin,
  ['build', '-o', `${dir}/`, 'github.com/nsqio/nsq/apps/nsqd', 'github.com/nsqio/nsq/apps/nsqlookupd'],
  { cwd: 'tools/nsq', stdio: 'inherit', env: { ...process.env, CGO_ENABLED: '0' } },
);
console.log(`nsq: built ${wanted.join(' ')}`);
