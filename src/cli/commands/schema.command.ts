import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import type { Command } from 'commander';

import { buildTracebaseSchema, printTracebaseSchema } from '../../api/schema.builder';
import { TracebaseError } from '../../errors/tracebase.error';

/** The committed SDL file at the repository root. */
export const SCHEMA_FILE = path.resolve(__dirname, '..', '..', '..', 'schema.graphql');

/** `tracebase schema emit` and `tracebase schema check`. */
export function registerSchemaCommands(program: Command): void {
  const schema = program.command('schema').description('The GraphQL schema file (schema.graphql).');
  schema
    .command('emit')
    .description('Write schema.graphql from the code.')
    .option('--out <file>', 'where to write it', SCHEMA_FILE)
    .action(async (options: { out: string }) => {
      writeFileSync(options.out, printTracebaseSchema(await buildTracebaseSchema()));
      process.stdout.write(`wrote ${options.out}\n`);
    });
  schema
    .command('check')
    .description('Fail when schema.graphql differs from what the code emits.')
    .action(async () => {
      const expected = printTracebaseSchema(await buildTracebaseSchema());
      let actual = '';
      try {
        actual = readFileSync(SCHEMA_FILE, 'utf8');
      } catch {
        // missing file: reported below as stale
      }
      if (actual !== expected) {
        throw new TracebaseError('SCHEMA_STALE', 'schema.graphql is stale: run `npm run schema:emit` and commit it');
      }
      process.stdout.write('schema.graphql is up to date\n');
    });
}
