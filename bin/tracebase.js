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
  require('tsx/cjs');
  require(path.join(root, 'src', 'cli', 'main.ts'));
}
