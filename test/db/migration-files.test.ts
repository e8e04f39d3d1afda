import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { MigrationError } from '../../src/db/database.error';
import { DEFAULT_MIGRATIONS_DIR, migrationChecksum, readMigrationFiles } from '../../src/db/migration-files';

function dirWith(files: Record<string, string | null>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tb-migrations-'));
  for (const [name, sql] of Object.entries(files)) {
    mkdirSync(path.join(dir, name));
    if (sql !== null) writeFileSync(path.join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}

describe('readMigrationFiles', () => {
  it('lists migrations in name order with the sha256 of their bytes', () => {
    const dir = dirWith({ '20260102000000_second': 'SELECT 2;', '20260101000000_first': 'SELECT 1;' });
    const files = readMigrationFiles(dir);
    expect(files.map((f) => f.name)).toEqual(['20260101000000_first', '20260102000000_second']);
    expect(files[0]!.checksum).toBe(createHash('sha256').update('SELECT 1;').digest('hex'));
    expect(migrationChecksum('SELECT 1;')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names a directory without migration.sql', () => {
    const dir = dirWith({ '20260101000000_first': null });
    expect(() => readMigrationFiles(dir)).toThrow(/20260101000000_first has no migration.sql/);
  });

  it('names a badly named directory', () => {
    const dir = dirWith({ init: 'SELECT 1;' });
    expect(() => readMigrationFiles(dir)).toThrow(MigrationError);
    expect(() => readMigrationFiles(dir)).toThrow(/init is not named YYYYMMDDHHMMSS_title/);
  });

  it('finds the project migrations, the first of which creates the vector extension', () => {
    const files = readMigrationFiles(DEFAULT_MIGRATIONS_DIR);
    expect(files.length).toBeGreaterThan(0);
    expect(files[0]!.sql).toMatch(/CREATE EXTENSION IF NOT EXISTS vector/);
  });
});
