// Dual build: ESM (dist/esm, with .d.ts in dist/types) and CJS (dist/cjs).
// Each output folder gets a package.json stating its module type.
import { execFileSync } from 'node:child_process';
import { rmSync, mkdirSync, writeFileSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
const tsc = (project) => execFileSync('npx', ['tsc', '-p', project], { stdio: 'inherit' });
tsc('tsconfig.esm.json');
tsc('tsconfig.cjs.json');
for (const [dir, type] of [
  ['dist/esm', 'module'],
  ['dist/cjs', 'commonjs'],
]) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/package.json`, JSON.stringify({ type }) + '\n');
}
console.log('built dist/esm, dist/cjs and dist/types');
