// Prisma CLI config. The datasource url lives here (Prisma 7); the runtime opens the DB through the
// better-sqlite3 adapter in packages/db and applies prisma/migrations with its own migrator.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'file:./data/mission-control.db' },
});
