#!/usr/bin/env node
// File-name rules of docs/design.md "House style" that no linter checks: source files are
// kebab-case with a role suffix, and production code has no `*.spec.ts` / `*.test.ts` (tests
// live in test/, mirroring src/). Prints each offender and exits 1.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const problems = [];
function walk(dir) {
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (rel !== 'src/generated') walk(rel);
    } else if (/\.(spec|test)\.ts$/.test(entry.name)) {
      problems.push(`${rel}: production code must not be named like a test (*.spec.ts / *.test.ts); tests live in test/`);
    } else if (entry.name.endsWith('.ts') && !/^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+(-[a-z0-9]+)*)*\.ts$/.test(entry.name)) {
      problems.push(`${rel}: file names are kebab-case (lower-case words joined by '-', role suffix after a '.')`);
    }
  }
}
walk('src');
for (const p of problems) console.error(p);
if (problems.length > 0) process.exit(1);
