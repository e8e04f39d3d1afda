import type { Command } from 'commander';

import { openDatabase } from '../../db/database.factory';
import { DatabaseStatusService } from '../../services/database-status.service';
import { configFromOptions, withDatabaseOptions } from '../config-options';

/** `tracebase migrate` and `tracebase db status`. */
export function registerDatabaseCommands(program: Command): void {
  withDatabaseOptions(
    program.command('migrate').description('Apply the pending migrations of prisma/migrations (each in a transaction; safe to re-run).'),
  ).action(async (options: Record<string, unknown>) => {
    const config = configFromOptions(options);
    const db = await openDatabase(config);
    try {
      const applied = await new DatabaseStatusService(db).migrate();
      process.stdout.write(
        applied.length === 0 ? `${db.target}: up to date, nothing to apply\n` : `${db.target}: applied ${applied.length} migration(s): ${applied.join(', ')}\n`,
      );
    } finally {
      await db.close();
    }
  });

  const dbCommand = program.command('db').description('Inspect the database.');
  withDatabaseOptions(
    dbCommand
      .command('status')
      .description('Show the back-end, server and pgvector versions, and applied / pending migrations.')
      .option('--json', 'print JSON'),
  ).action(async (options: Record<string, unknown>) => {
    const config = configFromOptions(options);
    const db = await openDatabase(config);
    try {
      const report = await new DatabaseStatusService(db).status();
      if (options.json) {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      const lines = [
        `database:   ${report.database} (${report.target})`,
        `postgres:   ${report.serverVersion}`,
        `pgvector:   ${report.vectorExtension ?? 'not installed in this database'}`,
        `applied:    ${report.applied.length ? report.applied.join(', ') : 'none'}`,
        `pending:    ${report.pending.length ? report.pending.join(', ') : 'none'}`,
      ];
      if (report.changed.length) lines.push(`CHANGED after applying: ${report.changed.join(', ')}`);
      if (report.unknown.length) lines.push(`unknown to this code: ${report.unknown.join(', ')}`);
      if (report.failed.length) lines.push(`never finished: ${report.failed.join(', ')}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    } finally {
      await db.close();
    }
  });
}
