import { defineConfig } from 'prisma/config';

// Used by `prisma generate` only: migrations are applied by `tracebase migrate`.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
