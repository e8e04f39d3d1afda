import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { MigrationError } from './database.error';

/** One `prisma/migrations/<name>/migration.sql` file. */
export interface MigrationFile {
  /** Directory name, `YYYYMMDDHHMMSS_snake_case_title`; migrations apply in name order. */
  readonly name: string;
  readonly sql: string;
  /** sha256 (hex) of the file's bytes, as Prisma records it in `_prisma_migrations`. */
  readonly checksum: string;
}

/** The project's migrations directory (`prisma/migrations` at the repository root). */
export const DEFAULT_MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', 'prisma', 'migrations');

const NAME_PATTERN = /^\d{14}_[a-z0-9_]+$/;

/** sha256 hex of a migration script, as Prisma computes its checksum. */
export function migrationChecksum(content: Buffer | string): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * Lists the migrations in `dir`, sorted by name. Throws {@link MigrationError} for a
 * directory whose name is malformed or that lacks its migration.sql.
 */
export function readMigrationFiles(dir: string = DEFAULT_MIGRATIONS_DIR): MigrationFile[] {
  if (!existsSync(dir)) throw new MigrationError(`migrations directory ${dir} does not exist`, '');
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return names.map((name) => {
    if (!NAME_PATTERN.test(name)) {
      throw new MigrationError(`migration directory ${path.join(dir, name)} is not named YYYYMMDDHHMMSS_title (lower-case title)`, name);
    }
    const file = path.join(dir, name, 'migration.sql');
    if (!existsSync(file)) throw new MigrationError(`migration ${name} has no migration.sql (${file})`, name);
    const bytes = readFileSync(file);
    return { name, sql: bytes.toString('utf8'), checksum: migrationChecksum(bytes) };
  });
}
