#!/usr/bin/env node
'use strict';
// The `tracebase` command. Runs the TypeScript sources through tsx's loader, or the compiled
// JavaScript in dist/ when `npm run build` has produced it.
const path = require('node:path');
const fs = require('node:fs');

const root = path.resolve(__dirname, '..');
const compiled = path.join(root, 'dist', 'cli', 'main.js');
if (fs.existsSync(compiled) && !process.env.TRACEBASE_FROM_SOURCE) {
  require(compiled);
} else {
  // Both loaders: the CommonJS one for `require`, the ES module one for the lazy `import()`s
  // that commands use to load heavy modules (onnxruntime) only when they run.
  // The project's tsconfig (decorators) whatever the working directory.
  process.env.TSX_TSCONFIG_PATH = path.join(root, 'tsconfig.json');
  require('tsx/cjs/api').register();
  require('tsx/esm/api').register();
  require(path.join(root, 'src', 'cli', 'main.ts'));
}
