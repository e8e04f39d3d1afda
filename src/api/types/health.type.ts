import { Field, ObjectType, registerEnumType } from 'type-graphql';

/** The database back-end a Tracebase server runs on. */
export enum DatabaseKindEnum {
  postgres = 'postgres',
  pglite = 'pglite',
}

registerEnumType(DatabaseKindEnum, {
  name: 'DatabaseKind',
  description: 'Database back-end of the server.',
  valuesConfig: {
    postgres: { description: 'A PostgreSQL server with pgvector (DATABASE_URL set).' },
    pglite: { description: 'Embedded PGlite with pgvector, in the server process.' },
  },
});

@ObjectType('AppliedMigration', { description: 'A database migration recorded as applied.' })
export class AppliedMigrationType {
  @Field(() => String, { description: 'Directory name under prisma/migrations.' })
  name!: string;

  @Field(() => String, { description: 'sha256 of the migration file when it was applied.' })
  checksum!: string;

  @Field(() => Date, { nullable: true, description: 'When it finished applying.' })
  appliedAt!: Date | null;
}

@ObjectType('Health', { description: 'State of the server and its database.' })
export class HealthType {
  @Field(() => DatabaseKindEnum, { description: 'Which database back-end serves this API.' })
  database!: DatabaseKindEnum;

  @Field(() => String, { description: 'PostgreSQL server version (PGlite reports the Postgres it embeds).' })
  serverVersion!: string;

  @Field(() => String, { nullable: true, description: 'Installed pgvector version; null if the extension is missing.' })
  vectorExtension!: string | null;

  @Field(() => [AppliedMigrationType], { description: 'Applied migrations, oldest first.' })
  migrations!: AppliedMigrationType[];

  @Field(() => [String], { description: 'Migrations in this release that the database has not applied.' })
  pendingMigrations!: string[];

  @Field(() => String, { description: 'Tracebase server version.' })
  tracebaseVersion!: string;
}
