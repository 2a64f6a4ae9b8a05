import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { applyMigrations } from "../schema/src/local/migrate.js";
import { seedDemo } from "../schema/src/local/seed.js";
import { startCallStack } from "./support/call-stack.js";
import { createScratchDatabase } from "./support/scratch-database.js";
import { startThrowawayEdge } from "./support/throwaway-edge.js";

const API_PASSWORD = "test-legacy-password";
const DEMO_PASSWORD = "switchboard-demo";

/**
 * Once per run: a fresh database (embedded, or a throw-away one on DATABASE_URL's server),
 * migrated and seeded, the real worker in workerd on a free port, the media node and the jambonz
 * emulator. Returns the teardown.
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

    const calls = await startCallStack(stops);
    const mediaNodeUrl = calls.mediaNodeUrl;
    const internalApiSecret = randomBytes(36).toString("base64url");
    const jwtSecret = randomBytes(36).toString("base64url");
    const edgeUrl = await startThrowawayEdge({
      databaseUrl: database.url,
      apiPassword: API_PASSWORD,
      internalApiSecret,
      mediaNodeUrl,
      environment: "test",
      // Webhook receivers in tests listen on 127.0.0.1; retries are fast so a dead letter is reached in seconds.
      vars: {
        JWT_SECRET: jwtSecret,
        WEBHOOK_ALLOWED_HOSTS: "127.0.0.1",
        WEBHOOK_RETRY_BASE_MS: "100",
        WEBHOOK_MAX_ATTEMPTS: "4",
      },
      stops,
    });
    await calls.startMediaNode(edgeUrl, internalApiSecret);

    project.provide("edgeUrl", edgeUrl);
    project.provide("databaseUrl", database.url);
    project.provide("apiPassword", API_PASSWORD);
    project.provide("demoEmail", seed.userEmail);
    project.provide("demoPassword", DEMO_PASSWORD);
    project.provide("internalApiSecret", internalApiSecret);
    project.provide("jwtSecret", jwtSecret);
    project.provide("mediaNodeUrl", mediaNodeUrl);
    project.provide("emulatorUrl", calls.emulatorUrl);
    console.log(`test stack: edge ${edgeUrl}, database ${database.label}`);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
