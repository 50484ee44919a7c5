// Prisma CLI configuration. The app itself never reads this: lib/db/client.ts builds the
// client from DATABASE_URL with a driver adapter. The CLI needs a URL only for commands we
// do not use offline (migrate deploy where the native engine can be downloaded).
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "file:./data/switchboard.db" },
});
