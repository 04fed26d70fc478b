// @ts-check
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX, createNodeResolver } from 'eslint-plugin-import-x';

const restrictedPatterns = [
  { group: ['rxjs/internal/*'], message: 'Use the public rxjs entry points.' },
  {
    group: ['fp-ts/*', '!fp-ts/lib', 'fp-ts/lib/*', '!fp-ts/lib/*.js'],
    message: "fp-ts has no exports map: import 'fp-ts/lib/<Module>.js' so the ESM build loads in Node.",
  },
];

/** Files that may use Node: the NSQ broker, the Node-only entries and what only they export. */
const nodeOnlyFiles = [
  'src/broker/nsq/**',
  'src/nsq.ts',
  'src/node.ts',
  'src/node/**',
  'src/config/loadConfig.ts',
  'src/logger/createLogger.ts',
];

/** Node's built-in modules, bare and with the node: prefix. */
const nodeBuiltins = builtinModules.filter((name) => !name.startsWith('_'));

/** Import patterns of the given src/ folders. */
const above = (...folders) => folders.flatMap((f) => [`**/${f}`, `**/${f}/**`]);

/** Layers, as folders: a layer may import the ones below it, never the ones above. */
const layerRule = (patterns) => ({
  '@typescript-eslint/no-restricted-imports': ['error', { patterns }],
});

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.build/', 'docs/api/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [
        createNodeResolver({ extensions: ['.ts', '.js', '.mjs'], extensionAlias: { '.js': ['.ts', '.js'] } }),
      ],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: restrictedPatterns,
        },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/broker/nsq/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'nsqjs', message: 'Only src/broker/nsq/ may import nsqjs.' }],
          patterns: restrictedPatterns,
        },
      ],
    },
  },
  {
    // the isomorphic core (the root entry and rxmini/testing) bundles for a browser
    files: ['src/**/*.ts'],
    ignores: nodeOnlyFiles,
    rules: {
      'no-restricted-globals': [
        'error',
        ...['process', 'Buffer', '__dirname', '__filename', 'require', 'global'].map((name) => ({
          name,
          message:
            'The isomorphic core uses no Node global: take it as an option, or put this behind rxmini/node.',
        })),
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'nsqjs', message: 'Only src/broker/nsq/ may import nsqjs.' },
            ...['pino', 'pino-pretty', 'systeminformation', ...nodeBuiltins].map((name) => ({
              name,
              message:
                'The isomorphic core imports nothing from Node: put this behind rxmini/node or rxmini/nsq.',
            })),
          ],
          patterns: [
            ...restrictedPatterns,
            {
              group: ['node:*'],
              message:
                'The isomorphic core imports nothing from Node: put this behind rxmini/node or rxmini/nsq.',
            },
          ],
        },
      ],
    },
  },
  // the layers, lowest first: broker < delivery < operators < transport < file < service
  {
    files: ['src/broker/**/*.ts'],
    rules: layerRule([
      {
        group: above('delivery', 'operators', 'transport', 'file', 'service'),
        message:
          'The broker layer (src/broker/) is the lowest: it must not import src/delivery/, src/operators/, src/transport/ or src/service/.',
      },
    ]),
  },
  {
    files: ['src/delivery/**/*.ts'],
    rules: layerRule([
      {
        group: above('operators', 'transport', 'file', 'service'),
        message:
          'src/delivery/ sits under the operators and the transport: it must not import src/operators/, src/transport/ or src/service/.',
      },
    ]),
  },
  {
    files: ['src/operators/**/*.ts'],
    rules: layerRule([
      {
        group: above('transport', 'file', 'service'),
        message:
          'src/operators/ work on deliveries (src/delivery/), under the transport, whose options are sugar for them: they must not import src/transport/ or src/service/.',
      },
    ]),
  },
  {
    files: ['src/transport/**/*.ts'],
    rules: layerRule([
      {
        group: above('file', 'service'),
        message:
          'src/transport/ must not import src/file/ or src/service/: file transfer and services build on the transport.',
      },
    ]),
  },
  {
    files: ['src/file/**/*.ts'],
    rules: layerRule([
      {
        group: above('service'),
        message: 'src/file/ builds on the transport and below: it must not import src/service/.',
      },
    ]),
  },
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        module: 'writable',
        require: 'readonly',
        __dirname: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
