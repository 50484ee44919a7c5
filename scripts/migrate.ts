// `npm run db:migrate`: brings the database named by DATABASE_URL (default: the embedded SQLite
// file) up to date with the committed migrations, through the same migrator every entry point uses.

import { migrate } from "../lib/db/migrate";
import { databaseTarget } from "../lib/env";

const target = databaseTarget();
const { applied } = await migrate(target);
console.log(applied.length ? `applied: ${applied.join(", ")}` : "database is up to date");
