// Fuzzes the GraphQL API (every field with arguments; boundary and random values, as literals
// and as variables) on a fresh embedded server and reports how many requests answered 5xx.
// npm run fuzz:api -- [--requests 3000] [--seed 1]
import 'reflect-metadata';

import { fuzzFreshServer } from './api-fuzz/fuzz-server';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const requests = flag('requests', 3000);
  const seed = flag('seed', 1);
  const started = Date.now();
  const report = await fuzzFreshServer({ requests, seed });
  const seconds = (Date.now() - started) / 1000;
  console.log(`api fuzz: seed ${seed}, ${report.requests} requests over ${report.fields} fields in ${seconds.toFixed(1)} s`);
  console.log(`  statuses: ${JSON.stringify(report.statuses)}`);
  console.log(`  5xx: ${report.serverErrors}; server up throughout: ${report.upThroughout}`);
  for (const f of report.failures)
    console.log(
      `  ${f.status} ${f.operation.field} (${f.operation.style}): ${f.operation.query.slice(0, 300)} ${JSON.stringify(f.operation.variables ?? {}).slice(0, 200)}\n    -> ${f.body}`,
    );
  process.exit(report.serverErrors === 0 && report.upThroughout ? 0 : 1);
}

void main();
