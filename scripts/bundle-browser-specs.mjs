// Bundles the root entry (src/index.ts) on its own, and the browser-safe specs,
// into two IIFEs for karma. platform 'browser' makes any Node built-in import
// (fs, net, process, …) a build error, and the root bundle also refuses the
// Node-only packages (some, like pino, ship a browser build that would hide
// them): that is how the root entry `rxmini` proves it stays free of Node.
import { build } from 'esbuild';
import { readdirSync, statSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Spec folders (and files) whose subjects must run in a browser. */
export const browserSafe = [
  'spec/codec',
  'spec/constant',
  'spec/errors.spec.ts',
  'spec/index.spec.ts',
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
  'spec/service',
  'spec/file',
];

/** Node-only specs inside the folders above. */
const nodeOnly = ['spec/broker/nsq', 'spec/file/sha256.crypto.spec.ts'];

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

/** Packages that only run on Node: neither the root entry nor a browser-safe spec may reach them. */
const nodeOnlyPackages = ['nsqjs', 'pino', 'pino-pretty', 'systeminformation'];

const refuseNodeOnly = {
  name: 'refuse-node-only',
  setup(build) {
    const filter = new RegExp(`^(${nodeOnlyPackages.join('|')})(/|$)`);
    build.onResolve({ filter }, (args) => ({
      errors: [
        {
          text: `the root entry must not import the Node-only package '${args.path}' (from ${args.importer})`,
        },
      ],
    }));
  },
};

mkdirSync('.build/browser', { recursive: true });
await build({
  entryPoints: ['src/index.ts'],
  bundle: true,
  platform: 'browser',
  format: 'iife',
  globalName: 'rxmini',
  target: 'es2022',
  outfile: '.build/browser/rxmini.js',
  logLevel: 'warning',
  plugins: [refuseNodeOnly],
});

const specs = browserSafe.flatMap(walk).sort();
if (specs.length === 0) throw new Error('no browser-safe specs found');
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
  plugins: [refuseNodeOnly],
});
console.log(
  `bundled the root entry into .build/browser/rxmini.js and ${specs.length} browser spec files into .build/browser/specs.js`,
);
