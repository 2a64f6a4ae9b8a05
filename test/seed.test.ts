import { eq } from "drizzle-orm";
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyPassword } from "../edge/src/identity/passwords.js";
import { contacts, organisations, users } from "../schema/src/index.js";
import { applyMigrations } from "../schema/src/local/migrate.js";
import { seedDemo } from "../schema/src/local/seed.js";
import { connectDatabase } from "./support/database.js";
import { createScratchDatabase, type ScratchDatabase } from "./support/scratch-database.js";

const SEEDED_TABLES = ["organisations", "users", "accounts", "agents", "contacts", "products", "phone_numbers"];
const options = { orgSlug: "demo", demoPassword: "seed-test-password" };

describe("seedDemo", () => {
  let database: ScratchDatabase;
  let client: pg.Client;
  let db: NodePgDatabase;

  beforeAll(async () => {
    database = await createScratchDatabase();
    await applyMigrations(database.url);
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
    db = drizzle(client);
  });

  afterAll(async () => {
    await client?.end();
    await database?.stop();
  });

  it("is idempotent: a second run changes nothing", async () => {
    const first = await seedDemo(database.url, options);
    const countsAfterFirst = await countRows(client);
    const hashAfterFirst = await passwordHashOf(db, first.userEmail);

    const second = await seedDemo(database.url, options);

    expect(second).toEqual(first);
    expect(await countRows(client)).toEqual(countsAfterFirst);
    // The password is not re-hashed (PBKDF2 is slow and the hash would change).
    expect(await passwordHashOf(db, first.userEmail)).toBe(hashAfterFirst);
    expect(first.warnings).toEqual([]);
  });

  it("gives the demo organisation contacts 1–5, as the legacy examples expect", async () => {
    const rows = await db
      .select({ number: contacts.number, slug: organisations.slug, phone: contacts.phone })
      .from(contacts)
      .innerJoin(organisations, eq(organisations.id, contacts.orgId))
      .orderBy(contacts.number);
    expect(rows.filter((row) => row.number <= 5)).toEqual([
      expect.objectContaining({ number: 1, slug: "demo", phone: "+33612345678" }),
      expect.objectContaining({ number: 2, slug: "demo" }),
      expect.objectContaining({ number: 3, slug: "demo" }),
      expect.objectContaining({ number: 4, slug: "demo" }),
      expect.objectContaining({ number: 5, slug: "demo" }),
    ]);
    expect(rows.filter((row) => row.slug === "acme").length).toBeGreaterThan(0);
  });

  it("moves the contact number sequence past the explicit numbers", async () => {
    const [created] = await db
      .insert(contacts)
      .values({ orgId: await demoOrgId(db), phone: "+33699999999" })
      .returning({ number: contacts.number });
    const { rows } = await client.query<{ max: string }>("select max(number) as max from contacts");
    expect(created?.number).toBe(Number(rows[0]?.max));
    expect(created?.number).toBeGreaterThan(5);
  });

  it("stores a password hash the edge accepts", async () => {
    const hash = await passwordHashOf(db, "demo@switchboard.local");
    expect(await verifyPassword(options.demoPassword, hash)).toBe(true);
    expect(await verifyPassword("wrong", hash)).toBe(false);
  });
});

describe("the shared test stack", () => {
  it("is seeded: the demo organisation owns contacts 1–5", async () => {
    const client = await connectDatabase();
    try {
      const { rows } = await client.query<{ number: string; slug: string }>(
        "select c.number, o.slug from contacts c join organisations o on o.id = c.org_id where c.number <= 5 order by 1",
      );
      expect(rows.map((row) => [Number(row.number), row.slug])).toEqual([1, 2, 3, 4, 5].map((n) => [n, "demo"]));
    } finally {
      await client.end();
    }
  });
});

async function countRows(client: pg.Client): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of SEEDED_TABLES) {
    const { rows } = await client.query<{ n: number }>(`select count(*)::int as n from ${table}`);
    counts[table] = rows[0]?.n ?? -1;
  }
  return counts;
}

async function passwordHashOf(db: NodePgDatabase, email: string): Promise<string> {
  const [row] = await db.select({ hash: users.passwordHash }).from(users).where(eq(users.email, email));
  if (!row) throw new Error(`no user ${email}`);
  return row.hash;
}

async function demoOrgId(db: NodePgDatabase): Promise<string> {
  const [row] = await db.select({ id: organisations.id }).from(organisations).where(eq(organisations.slug, "demo"));
  if (!row) throw new Error("no demo organisation");
  return row.id;
}
