import type PgBoss from 'pg-boss';

import type { SqlClient } from '../db/database.types';

/**
 * pg-boss's database interface over Tracebase's SQL client, so the queue runs on the same
 * connection pool (Postgres) or the same in-process database (PGlite). pg-boss sends its
 * schema scripts as several statements without parameters: those go through `exec`.
 */
export function pgBossDb(sql: SqlClient): PgBoss.Db {
  return {
    async executeSql(text: string, values?: unknown[]) {
      if (!values || values.length === 0) {
        if (/;\s*\S/.test(text.trim().replace(/;\s*$/, ''))) {
          await sql.exec(text);
          return { rows: [] };
        }
      }
      return { rows: await sql.query(text, values ?? []) };
    },
  };
}
