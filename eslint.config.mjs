// Lint rules of the project: ESLint's and typescript-eslint's recommended sets (without type
// information, so the whole tree lints in seconds), plus the few rules the code base keeps on top.
// Formatting is Prettier's job (`npm run format:check`), layering is dependency-cruiser's
// (`npm run lint:layers`).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'src/generated/', 'dist/', 'coverage/', '.tracebase/', 'world/', 'models/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'error',
      // control characters in patterns are deliberate (the world's text checks)
      'no-control-regex': 'off',
    },
  },
  {
    // benchmarks print their figures
    files: ['bench/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
