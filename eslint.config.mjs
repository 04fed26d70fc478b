// @ts-check
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
