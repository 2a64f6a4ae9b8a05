import { randomBytes } from "node:crypto";
import { serve } from "@hono/node-server";
import type { TestProject } from "vitest/node";
import { createMediaNodeApp } from "../media-node/src/server.js";
import { applyMigrations } from "../schema/src/local/migrate.js";
import { seedDemo } from "../schema/src/local/seed.js";
import { createScratchDatabase } from "./support/scratch-database.js";
import { startThrowawayEdge } from "./support/throwaway-edge.js";

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

    const mediaNodeUrl = await startMediaNode(stops);
    const internalApiSecret = randomBytes(36).toString("base64url");
    const edgeUrl = await startThrowawayEdge({
      databaseUrl: database.url,
      apiPassword: API_PASSWORD,
      internalApiSecret,
      mediaNodeUrl,
      environment: "test",
      stops,
    });

    project.provide("edgeUrl", edgeUrl);
    project.provide("databaseUrl", database.url);
    project.provide("apiPassword", API_PASSWORD);
    project.provide("demoEmail", seed.userEmail);
    project.provide("demoPassword", DEMO_PASSWORD);
    project.provide("internalApiSecret", internalApiSecret);
    project.provide("mediaNodeUrl", mediaNodeUrl);
    console.log(`test stack: edge ${edgeUrl}, database ${database.label}`);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}

/** The media node's HTTP app in this process, on a free port. */
async function startMediaNode(stops: Array<() => Promise<void>>): Promise<string> {
  const port = await new Promise<number>((resolve) => {
    const server = serve({ fetch: createMediaNodeApp().fetch, hostname: "127.0.0.1", port: 0 }, (info) =>
      resolve(info.port),
    );
    stops.push(() => new Promise<void>((done) => server.close(() => done())));
  });
  return `http://127.0.0.1:${port}`;
}
