// Bundles the browser-safe specs into one IIFE for karma. platform 'browser'
// makes any Node built-in import (fs, net, process, …) a build error, which is
// how the isomorphic core proves it stays free of Node.
import { build } from 'esbuild';
import { readdirSync, statSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Spec folders (and files) whose subjects must run in a browser. */
export const browserSafe = [
  'spec/codec',
  'spec/constant',
  'spec/errors.spec.ts',
  'spec/recover',
  'spec/metrics',
  'spec/operators',
  'spec/context',
  'spec/broker',
  'spec/router',
  'spec/registry',
  'spec/selector',
  'spec/transport',
  'spec/testing',
];

/** Node-only specs inside the folders above. */
const nodeOnly = ['spec/broker/nsq'];

const walk = (path) => {
  if (nodeOnly.includes(path)) return [];
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return [];
  }
  if (stat.isFile()) return path.endsWith('.spec.ts') ? [path] : [];
  return readdirSync(path).flatMap((name) => walk(join(path, name)));
};

const specs = browserSafe.flatMap(walk).sort();
if (specs.length === 0) throw new Error('no browser-safe specs found');
mkdirSync('.build/browser', { recursive: true });
const entry = '.build/browser/entry.ts';
writeFileSync(
  entry,
  specs.map((s) => `import '${relative('.build/browser', s).replace(/\.ts$/, '')}';`).join('\n') + '\n',
);
await build({
  entryPoints: [entry],
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  sourcemap: 'inline',
  outfile: '.build/browser/specs.js',
  logLevel: 'warning',
  // the package says sideEffects: false, which would drop the side-effect-only spec imports
  ignoreAnnotations: true,
  keepNames: true,
});
console.log(`bundled ${specs.length} browser spec files into .build/browser/specs.js`);
