// Type-checks every TSDoc example in src/ as a user would write it, and ends with
// one plain summary line: "doc examples: N compiled, N failed".
//
// Every fenced ```ts block inside an `@example` of a TSDoc comment becomes its own
// module in .build/doc-examples/, named after its source file and the line of its
// first code line (src/transport/delivery.ts line 57 → transport__delivery.ts__L57.ts),
// and all of them are compiled in one program with the project's strictness
// (tsconfig.base.json), noEmit, module esnext + moduleResolution bundler (top-level
// await works) and `paths` from package.json "exports": `rxmini` → src/index.ts,
// `rxmini/<entry>` → src/<entry>/index.ts (dist/types/X/index.d.ts ↔ src/X/index.ts).
// Errors are printed as src/<file>:<line>:<col>. `npx tsc -p .build/doc-examples`
// reproduces them after a run.
//
// Rules: an example imports what it uses from a public entry (`rxmini`,
// `rxmini/testing`, …) or a dependency, never from a relative path or an `rxmini/…`
// subpath that package.json does not export; an `@example` needs a ```ts block.
//
// Placeholders: an example may use these names without declaring them (for the
// things a real program would already have; everything else an example declares
// or imports itself, and making an example self-contained beats a new name here):
//   bus: Transport              a transport (memoryTransport() or nsqTransport())
//   log: ILogger                a logger
//   save: (body) => Promise     a side effect that stores a body somewhere
//   metrics: Metrics            a metrics registry (createMetrics())
const PLACEHOLDERS = `
declare const bus: import('rxmini').Transport;
declare const log: import('rxmini').ILogger;
declare const save: (body: unknown) => Promise<void>;
declare const metrics: import('rxmini').Metrics;
`;

import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import process from 'node:process';
import ts from 'typescript';

const root = process.cwd();
const srcDir = resolve(root, 'src');
const outDir = resolve(root, '.build', 'doc-examples');
const PACKAGE = 'rxmini';

/** The `types` path of an exports target, however its conditions nest. */
const typesOf = (target) => {
  if (typeof target !== 'object' || target === null) return undefined;
  if (typeof target.types === 'string') return target.types;
  for (const value of Object.values(target)) {
    const found = typesOf(value);
    if (found !== undefined) return found;
  }
  return undefined;
};

/**
 * `rxmini` and `rxmini/<entry>` → their src file, from package.json "exports":
 * ./dist/types/X.d.ts ↔ src/X.ts (so dist/types/testing/index.d.ts ↔ src/testing/index.ts).
 */
const entryPoints = () => {
  const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));
  const map = new Map();
  for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
    const types = typesOf(target);
    if (types === undefined) continue; // ./package.json and other non-code entries
    const specifier = subpath === '.' ? PACKAGE : `${PACKAGE}/${subpath.replace(/^\.\//, '')}`;
    const match = /^\.\/dist\/types\/(.+)\.d\.ts$/.exec(types);
    const file = match === null ? undefined : join(srcDir, `${match[1]}.ts`);
    if (file === undefined || !existsSync(file)) {
      throw new Error(`package.json exports["${subpath}"]: no src file for its types ${types}`);
    }
    map.set(specifier, file);
  }
  return map;
};

const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return walk(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });

/** Every `/** … *\/` comment of a file, as [start, end) offsets (found by the parser, not a regex). */
const docComments = (file, text) => {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const found = new Map();
  const visit = (node) => {
    for (const range of ts.getLeadingCommentRanges(text, node.pos) ?? []) {
      if (text.startsWith('/**', range.pos) && !text.startsWith('/**/', range.pos))
        found.set(range.pos, range);
    }
    for (const child of node.getChildren(source)) visit(child);
  };
  visit(source);
  return [...found.values()].sort((a, b) => a.pos - b.pos);
};

const lineOf = (text, offset) => text.slice(0, offset).split('\n').length;

/**
 * The ```ts blocks of every `@example` in a file: `{ file, line, code, columns }`,
 * where `line` is the source line of the first code line and `columns[i]` how many
 * characters (` * `) were stripped from code line i.
 */
const extractExamples = (file, text) => {
  const examples = [];
  const problems = [];
  for (const comment of docComments(file, text)) {
    const firstLine = lineOf(text, comment.pos);
    const lines = text.slice(comment.pos, comment.end).split('\n');
    let inExample = false;
    let blocks = 0;
    let exampleLine = 0;
    let fence;
    const endExample = () => {
      if (inExample && blocks === 0)
        problems.push({ file, line: exampleLine, text: '@example has no ```ts block' });
      inExample = false;
    };
    lines.forEach((raw, index) => {
      const line = firstLine + index;
      const prefix = /^\s*(?:\/\*\*|\*\/|\*(?!\/))? ?/.exec(raw)[0];
      const content = raw.slice(prefix.length).replace(/\s*\*\/\s*$/, '');
      if (fence !== undefined) {
        if (/^\s*```\s*$/.test(content)) {
          examples.push(fence);
          fence = undefined;
        } else {
          fence.code.push(content);
          fence.columns.push(prefix.length);
        }
        return;
      }
      if (/^@example\b/.test(content.trim())) {
        endExample();
        inExample = true;
        blocks = 0;
        exampleLine = line;
      } else if (/^@\w/.test(content.trim())) {
        endExample();
      }
      if (inExample && /^\s*```(ts|typescript)\s*$/.test(content)) {
        blocks += 1;
        fence = { file, line: line + 1, code: [], columns: [] };
      }
    });
    if (fence !== undefined) problems.push({ file, line: fence.line - 1, text: 'unclosed ```ts block' });
    endExample();
  }
  return { examples, problems };
};

const exampleName = (example) =>
  `${relative(srcDir, example.file).split(sep).join('__')}__L${example.line}.ts`;

/** Imports an example may not use: relative paths and `rxmini/…` subpaths that are not exported. */
const badImports = (sourceFile, entries) => {
  const found = [];
  const check = (node, specifier) => {
    if (!ts.isStringLiteralLike(specifier)) return;
    const name = specifier.text;
    let reason;
    if (name.startsWith('.') || name.startsWith('/'))
      reason = `relative import '${name}': import from a public entry (${[...entries.keys()].join(', ')})`;
    else if ((name === PACKAGE || name.startsWith(`${PACKAGE}/`)) && !entries.has(name))
      reason = `'${name}' is not an entry in package.json "exports" (${[...entries.keys()].join(', ')})`;
    if (reason !== undefined) found.push({ start: specifier.getStart(sourceFile), text: reason });
  };
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier)
      check(node, node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference))
      check(node, node.moduleReference.expression);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument))
      check(node, node.argument.literal);
    else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0]
    )
      check(node, node.arguments[0]);
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
};

// 1. extract
const entries = entryPoints();
const examples = [];
const problems = [];
for (const file of walk(srcDir).sort()) {
  const found = extractExamples(file, readFileSync(file, 'utf8'));
  examples.push(...found.examples);
  problems.push(...found.problems);
}

// 2. write one module per example, the placeholders and a tsconfig
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const byPath = new Map();
for (const example of examples) {
  const path = join(outDir, exampleName(example));
  writeFileSync(path, `${example.code.join('\n')}\n`);
  byPath.set(path, example);
}
writeFileSync(join(outDir, 'placeholders.d.ts'), PLACEHOLDERS.trimStart());
const toOut = (path) => relative(outDir, path).split(sep).join('/');
const tsconfig = {
  extends: toOut(resolve(root, 'tsconfig.base.json')),
  compilerOptions: {
    module: 'esnext',
    moduleResolution: 'bundler',
    moduleDetection: 'force', // an example without imports is still its own module
    noEmit: true,
    sourceMap: false,
    incremental: false,
    paths: Object.fromEntries([...entries].map(([specifier, file]) => [specifier, [toOut(file)]])),
  },
  include: ['*.ts'],
};
writeFileSync(join(outDir, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);

// 3. compile
const configPath = join(outDir, 'tsconfig.json');
const config = ts.getParsedCommandLineOfConfigFile(
  configPath,
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  },
);
const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });

/** A position in a generated file, as src/<file>:<line>:<col> when it comes from an example. */
const where = (fileName, start) => {
  const sourceFile = program.getSourceFile(fileName);
  const { line, character } = sourceFile.getLineAndCharacterOfPosition(start);
  const example = byPath.get(resolve(fileName));
  if (example === undefined) return `${relative(root, fileName)}:${line + 1}:${character + 1}`;
  const column = character + 1 + (example.columns[line] ?? 0);
  return `${relative(root, example.file)}:${example.line + line}:${column}`;
};

const errors = problems.map((p) => ({ example: p, text: `${relative(root, p.file)}:${p.line}: ${p.text}` }));
for (const [path, example] of byPath) {
  const sourceFile = program.getSourceFile(path);
  for (const bad of badImports(sourceFile, entries))
    errors.push({ example, text: `${where(path, bad.start)}: ${bad.text}` });
}
for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n  ');
  const example = diagnostic.file ? byPath.get(resolve(diagnostic.file.fileName)) : undefined;
  const at =
    diagnostic.file && diagnostic.start !== undefined
      ? `${where(diagnostic.file.fileName, diagnostic.start)}: `
      : '';
  errors.push({ example, text: `${at}TS${diagnostic.code}: ${message}` });
}

// 4. report
errors.sort((a, b) => a.text.localeCompare(b.text, 'en', { numeric: true }));
for (const error of errors) console.log(error.text);
const failed = new Set(errors.map((e) => e.example).filter((e) => e !== undefined)).size;
console.log(`doc examples: ${examples.length} compiled, ${failed} failed`);
if (errors.length > 0) process.exitCode = 1;
