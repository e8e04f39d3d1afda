#!/usr/bin/env node
// The project's test command: type-checks, then runs jest with the environment that PGlite
// (ES modules inside jest) and onnxruntime need. Extra arguments go to jest.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const env = {
  ...process.env,
  NODE_OPTIONS: [process.env.NODE_OPTIONS, '--experimental-vm-modules', '--no-warnings=ExperimentalWarning']
    .filter(Boolean)
    .join(' '),
  ORT_DISABLE_TELEMETRY: '1',
  CHECKPOINT_DISABLE: '1',
};
const args = process.argv.slice(2);
function run(bin, argv) {
  const r = spawnSync(process.execPath, [require.resolve(bin, { paths: [root] }), ...argv], {
    cwd: root,
    env,
    stdio: 'inherit',
  });
  return r.status ?? 1;
}
if (!process.env.TRACEBASE_SKIP_TYPECHECK && args.length === 0) {
  const rc = run('typescript/bin/tsc', ['-p', 'tsconfig.json', '--noEmit']);
  if (rc !== 0) process.exit(rc);
}
process.exit(run('jest/bin/jest', args));
