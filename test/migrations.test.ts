import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { is } from "drizzle-orm";
import { getTableConfig, PgTable } from "drizzle-orm/pg-core";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as schema from "../schema/src/index.js";
import { applyMigrations, migrationsFolder } from "../schema/src/local/migrate.js";
import { repoRoot } from "../schema/src/local/stack.js";
import { createScratchDatabase, type ScratchDatabase } from "./support/scratch-database.js";

const schemaTables = Object.values(schema)
  .filter((value) => is(value, PgTable))
  .map((table) => getTableConfig(table as PgTable).name)
  .sort();
const tenantTables = schemaTables.filter((name) => name !== "organisations");

describe("migrations on an empty database", () => {
  let database: ScratchDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    database = await createScratchDatabase();
    await applyMigrations(database.url);
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await database?.stop();
  });

  it("create every table the schema declares", async () => {
    const { rows } = await client.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'",
    );
    expect(schemaTables.length).toBeGreaterThan(10);
    expect(rows.map((row) => row.table_name).sort()).toEqual(schemaTables);
  });

  it("give every tenant table an org_id column", async () => {
    const { rows } = await client.query<{ table_name: string }>(
      "select table_name from information_schema.columns where table_schema = 'public' and column_name = 'org_id'",
    );
    expect(rows.map((row) => row.table_name).sort()).toEqual(tenantTables);
  });

  it("give every tenant table an index led by org_id", async () => {
    const { rows } = await client.query<{ table_name: string }>(`
      select distinct t.relname as table_name
      from pg_index x
      join pg_class t on t.oid = x.indrelid
      join pg_namespace n on n.oid = t.relnamespace
      join pg_attribute a on a.attrelid = t.oid and a.attnum = x.indkey[0]
      where n.nspname = 'public' and a.attname = 'org_id'`);
    expect(rows.map((row) => row.table_name).sort()).toEqual(tenantTables);
  });

  it("are a no-op when applied again", async () => {
    const before = await describeDatabase(client);
    await applyMigrations(database.url);
    expect(await describeDatabase(client)).toEqual(before);
  });
});

describe("committed migrations", () => {
  it("match the drizzle schema (drizzle-kit generates nothing new)", async () => {
    const scratch = mkdtempSync(join(tmpdir(), "switchboard-migrations-"));
    try {
      cpSync(migrationsFolder, scratch, { recursive: true });
      const before = listFiles(scratch);
      const { stdout } = await promisify(execFile)(
        join(repoRoot, "node_modules/.bin/drizzle-kit"),
        // drizzle-kit prefixes `out` with "./", so it must be relative to the working directory.
        [
          "generate",
          "--dialect",
          "postgresql",
          "--schema",
          join(repoRoot, "schema/src/index.ts"),
          "--out",
          relative(repoRoot, scratch),
        ],
        { cwd: repoRoot, timeout: 60_000 },
      );
      expect(stdout).toContain("No schema changes");
      expect(listFiles(scratch)).toEqual(before);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

/** Applied migrations plus every column, so a second run that changed anything would show. */
async function describeDatabase(client: pg.Client): Promise<unknown> {
  const migrations = await client.query("select hash, created_at from drizzle.__drizzle_migrations order by id");
  const columns = await client.query(`
    select table_name, column_name, data_type, is_nullable, column_default
    from information_schema.columns where table_schema = 'public'
    order by table_name, ordinal_position`);
  const indexes = await client.query(
    "select indexname, indexdef from pg_indexes where schemaname = 'public' order by 1",
  );
  return { migrations: migrations.rows, columns: columns.rows, indexes: indexes.rows };
}

function listFiles(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: "utf8" }).sort();
}
