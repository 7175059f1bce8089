// @ts-check
// The lint gate (npm run lint, part of npm test): typescript-eslint's strict type-checked
// rules over all TypeScript and the .mjs scripts, with Prettier owning the layout
// (eslint-config-prettier turns off the rules that would fight it). Every rule turned off
// or relaxed here says why.
import comments from '@eslint-community/eslint-plugin-eslint-comments/configs';
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import prettier from 'eslint-config-prettier/flat';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const STRICT_TEMPLATE_EXPRESSIONS = { allowAny: false, allowBoolean: false, allowNever: false, allowNullish: false, allowNumber: false, allowRegExp: false };
const STRICT_PLUS_OPERANDS = { allowAny: false, allowBoolean: false, allowNullish: false, allowNumberAndString: false, allowRegExp: false };

export default defineConfig(
  globalIgnores([
    '**/dist/',
    '**/node_modules/',
    'coverage/',
    '.vitest-results/',
    'bench/results/',
    // Written by the docs check from the Markdown code blocks (gitignored).
    'docs/.generated/',
    // Inputs of the config loader's tests, some broken on purpose.
    '**/test/fixtures/',
    'packages/fleet-core/src/__fixtures__/',
    // The plugin starter's files resolve only once scaffolded into a package of their own;
    // the release check's plugin-starter stage runs their tests and tsd tests there.
    'packages/create-plugin/template/',
  ]),
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  {
    // An inline disable names the rule it turns off and says why after `--`.
    extends: [comments.recommended],
    rules: {
      '@eslint-community/eslint-comments/require-description': ['error', { ignore: [] }],
    },
  },
  {
    files: ['**/*.{ts,tsx,mts,cts,js,mjs,cjs}'],
    extends: [js.configs.recommended, tseslint.configs.strictTypeChecked],
    languageOptions: {
      globals: globals.node,
      // One program for every file (tsconfig.eslint.json): the build configs leave out
      // the tests, and a program per package would type-check the shared code again each time.
      parserOptions: { project: './tsconfig.eslint.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // Numbers and booleans print as themselves; counts, ports and durations fill the messages.
      // (The other options restate strict's: given options replace the preset's whole.)
      '@typescript-eslint/restrict-template-expressions': ['error', { ...STRICT_TEMPLATE_EXPRESSIONS, allowNumber: true, allowBoolean: true }],
      // `(line) => console.log(line)` as a callback, and `return log.warn(...)` ending a void
      // function early, are clear as they are.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true, ignoreVoidReturningFunctions: true }],
      // With noUncheckedIndexedAccess every index read is `T | undefined`; `!` marks a read
      // the surrounding bounds check has made safe.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Public functions check their input at run time for JavaScript callers (bad input gets
      // a clear error); the types say such checks cannot fail, and this rule flags them all.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // For the same reason String(reason) on a `string` parameter stays: it coerces what a
      // JavaScript plugin passes (a number, an Error) where the API takes text.
      '@typescript-eslint/no-unnecessary-type-conversion': 'off',
      // An async function without await implements a Promise-returning interface so that a
      // throw becomes a rejection, which callers and tapable's tapPromise expect.
      '@typescript-eslint/require-await': 'off',
      // Hook verdicts are `string | undefined | void` so that a tap may return nothing, as
      // tapable's own hook types allow.
      '@typescript-eslint/no-invalid-void-type': 'off',
      // Spreading a string into code points is deliberate: unit names, globs and columns count
      // characters (Go's runes), not UTF-16 units.
      '@typescript-eslint/no-misused-spread': 'off',
      // A name starting with _ and the rest siblings of a destructuring are how the code counts
      // iterations or leaves a field out.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // A failure caught earlier (`unknown`) is passed on as it was caught, not rewrapped.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    rules: {
      // Plain JavaScript has no annotations: parameters and JSON.parse results are `any`, so
      // these rules would flag every use. The promise rules still check the scripts.
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { ...STRICT_TEMPLATE_EXPRESSIONS, allowNumber: true, allowAny: true }],
      '@typescript-eslint/restrict-plus-operands': ['error', { ...STRICT_PLUS_OPERANDS, allowAny: true }],
    },
  },
  {
    // The dashboard's browser code: DOM globals, and its own program (DOM lib, Preact's JSX).
    files: ['packages/dashboard/ui/**/*.{ts,tsx}'],
    languageOptions: {
      globals: globals.browser,
      parserOptions: { project: './packages/dashboard/tsconfig.ui.json', tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    // tsd's files are only type-checked, never run: they restate types (expectType<void>),
    // read methods to assert their types and call things wrongly inside expectError on purpose.
    files: ['**/test-d/**/*.ts'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // A declaration file beside its .mjs is no part of the program (TypeScript takes the .mjs).
    files: ['.ci/**/*.d.mts'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: ['**/*.test.ts', '**/test/**/*.ts', 'docs/check/**/*.ts', 'bench/**/*.ts'],
    rules: {
      // vitest types its asymmetric matchers (expect.stringMatching, expect.any, ...) as `any`.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      // Tests interpolate entries of the fixtures they just built (`${machines[1]}`), which
      // noUncheckedIndexedAccess types as possibly undefined.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { ...STRICT_TEMPLATE_EXPRESSIONS, allowNumber: true, allowBoolean: true, allowNullish: true },
      ],
    },
  },
  prettier,
);
