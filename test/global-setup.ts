import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { applyMigrations } from "../schema/src/local/migrate.js";
import { seedDemo } from "../schema/src/local/seed.js";
import { startEdge } from "../schema/src/local/stack.js";
import { startWsBridge } from "../schema/src/local/ws-bridge.js";
import { freePort } from "./support/ports.js";
import { createScratchDatabase } from "./support/scratch-database.js";

const API_PASSWORD = "test-legacy-password";
const DEMO_PASSWORD = "switchboard-demo";

/**
 * Once per run: a fresh database (embedded, or a throw-away one on DATABASE_URL's server),
 * migrated and seeded, and the real worker in workerd on a free port. Returns the teardown.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: Array<() => Promise<void>> = [];
  const teardown = async () => {
    for (const stop of stops.reverse()) await stop().catch((error) => console.error("test teardown:", error));
  };
  try {
    const database = await createScratchDatabase();
    stops.push(database.stop);
    await applyMigrations(database.url);
    const seed = await seedDemo(database.url, { orgSlug: "demo", demoPassword: DEMO_PASSWORD });

    const bridge = await startWsBridge();
    stops.push(bridge.stop);
    const persistTo = mkdtempSync(join(tmpdir(), "switchboard-wrangler-"));
    stops.push(async () => rmSync(persistTo, { recursive: true, force: true }));
    const edge = await startEdge({
      port: await freePort(),
      quiet: true,
      persistTo,
      vars: {
        DATABASE_URL: database.url,
        DB_WS_PROXY: bridge.url,
        JWT_SECRET: randomBytes(36).toString("base64url"),
        API_PASSWORD,
        ENVIRONMENT: "test",
        DEFAULT_ORG_SLUG: "demo",
      },
    });
    stops.push(edge.stop);

    project.provide("edgeUrl", edge.url);
    project.provide("databaseUrl", database.url);
    project.provide("apiPassword", API_PASSWORD);
    project.provide("demoEmail", seed.userEmail);
    project.provide("demoPassword", DEMO_PASSWORD);
    console.log(`test stack: edge ${edge.url}, database ${database.label}`);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
