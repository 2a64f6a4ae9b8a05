import { applyMigrations } from "./migrate.js";
import { resolveDatabase } from "./stack.js";

/** `npm run db:migrate`: applies migrations to DATABASE_URL, or to the embedded database. */
const database = await resolveDatabase();
await applyMigrations(database.url);
console.log(`migrations applied to ${database.label}`);
await database.stop();
