#!/usr/bin/env node
// The project's test command: the static checks (type check, format check, lint, layer rules and
// file names), then jest with the environment that PGlite (ES modules inside jest) and
// onnxruntime need. Extra arguments go to jest and skip the static checks, as does
// TRACEBASE_SKIP_STATIC_CHECKS=1 (for a second run of the same tree on another back-end).
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const env = {
  ...process.env,
  NODE_OPTIONS: [process.env.NODE_OPTIONS, '--experimental-vm-modules', '--no-warnings=ExperimentalWarning'].filter(Boolean).join(' '),
  ORT_DISABLE_TELEMETRY: '1',
  CHECKPOINT_DISABLE: '1',
};
const args = process.argv.slice(2);
/** Runs a Node program: a path inside the repository ('./…') or a command of node_modules/.bin. */
function run(bin, argv) {
  const file = bin.startsWith('./') ? path.join(root, bin) : path.join(root, 'node_modules', '.bin', bin);
  const r = spawnSync(process.execPath, [file, ...argv], {
    cwd: root,
    env,
    stdio: 'inherit',
  });
  return r.status ?? 1;
}
const skipStatic = Boolean(process.env.TRACEBASE_SKIP_STATIC_CHECKS || process.env.TRACEBASE_SKIP_TYPECHECK);
if (!skipStatic && args.length === 0) {
  const checks = [
    ['type check', 'tsc', ['-p', 'tsconfig.json', '--noEmit']],
    ['format check (npm run format to fix)', 'prettier', ['--check', '--log-level', 'warn', '.']],
    ['lint', 'eslint', ['--max-warnings', '0', '.']],
    ['layer rules', 'depcruise', ['--config', '.dependency-cruiser.cjs', '--output-type', 'err', 'src']],
    ['file names', './scripts/check-file-names.js', []],
  ];
  for (const [name, bin, argv] of checks) {
    const rc = run(bin, argv);
    if (rc !== 0) {
      console.error(`npm test: the ${name} failed (exit ${rc}); jest was not run.`);
      process.exit(rc);
    }
  }
}
process.exit(run('jest', args));
