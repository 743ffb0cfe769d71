// Lint: type-aware rules that matter for a streaming process (floating promises,
// misused promises) and import cycles.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

const KAFKAJS_ONLY_THROUGH_WRAPPER = { name: 'kafkajs', allowTypeImports: true, message: "import kafkajs from src/kafka/kafkajs.ts (type imports from 'kafkajs' are fine)" };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.stack/**', 'coverage/**', '.demo/**', '.bench/**', '.scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { project: './tsconfig.check.json', tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-cycle': ['error', { maxDepth: 10 }],
      // kafkajs loads through src/kafka/kafkajs.ts, which puts the faster produce encoding in place first
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [KAFKAJS_ONLY_THROUGH_WRAPPER] }],
    },
  },
  {
    // shared plumbing lives below the parts that share it: the publisher reads items, not the exporter's modules
    // (import-x/no-restricted-paths would say it by folder, but it needs a resolver for our `.js` specifiers)
    files: ['src/publisher/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [KAFKAJS_ONLY_THROUGH_WRAPPER],
          patterns: [
            { group: ['**/exporter', '**/exporter/**'], message: 'the publisher imports nothing from src/exporter: what both use lives below both (src/stream, src/avro)' },
            { group: ['**/tools/**'], message: 'runtime code does not import the tools (src/tools: seed, bench, receiver)' },
          ],
        },
      ],
    },
  },
  {
    // the product first: runtime code imports nothing from src/tools (seed, bench, receiver); only the CLI
    // commands that run those tools do
    files: ['src/**/*.ts'],
    ignores: ['src/tools/**', 'src/publisher/**', 'src/cli/commands/seed.ts', 'src/cli/commands/receiver.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { paths: [KAFKAJS_ONLY_THROUGH_WRAPPER], patterns: [{ group: ['**/tools/**'], message: 'runtime code does not import the tools (src/tools: seed, bench, receiver)' }] },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
