import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { applyMigrations } from "./migrate.js";
import { seedDemo } from "./seed.js";
import { repoRoot, resolveDatabase, spawnGroup, startEdge, stopGroup, waitForHttp } from "./stack.js";
import { startWsBridge } from "./ws-bridge.js";

/**
 * `npm start`: the whole platform on one machine, offline. Embedded Postgres (or DATABASE_URL),
 * migrations, demo data, the edge worker in workerd, and the media node.
 */
const env = process.env;
const dataDir = join(repoRoot, ".data");
// 8000 is where every legacy API document points its examples (`http://localhost:8000`).
const edgePort = Number(env.PORT ?? 8000);
const mediaNodePort = Number(env.MEDIA_NODE_PORT ?? 8790);
/** The jambonz emulator (media-node/src/emulator) stands in for jambonz unless JAMBONZ_API_URL names a real one. */
const emulatorPort = Number(env.EMULATOR_PORT ?? 8792);
/**
 * How much faster than real time the emulator plays calls. 1 by default: the personas ring for seconds and talk
 * in real time, so a demo call lasts seconds to a minute and its recording is as long as the conversation.
 * Retries are another matter: they wait for the campaign's retry delay in real time whatever this says.
 */
const emulatorSpeed = env.EMULATOR_SPEED ?? "1";
/** The local eSpeak-NG speech server (media-node/src/speech), unless SPEECH_BASE_URL names a hosted engine. */
const speechPort = Number(env.SPEECH_PORT ?? 8793);
const apiPassword = env.API_PASSWORD ?? "mypassword";
/** Signs the internal API between the media node and the edge; both get it from here. */
const internalApiSecret = env.INTERNAL_API_SECRET ?? randomBytes(36).toString("base64url");
const demoPassword = env.DEMO_PASSWORD ?? "switchboard-demo";

/** Cleanup steps, run in reverse order of start. Children are registered the moment they are spawned. */
const stopSteps: Array<() => Promise<void>> = [];
let stopping: Promise<never> | undefined;
let signalled = false;

class Stopping extends Error {}

/** Stops everything once, then exits with the code of whoever asked first. */
function stopAll(exitCode: number): Promise<never> {
  stopping ??= (async () => {
    for (const step of stopSteps.reverse()) await step().catch((error) => console.error("while stopping:", error));
    process.exit(exitCode);
  })();
  return stopping;
}

/** Called between startup steps: once a stop has begun, nothing new may be started. */
function assertNotStopping(): void {
  if (stopping) throw new Stopping();
}

/** Steps added while stopping are still run: the stop loop iterates this same (growing) array. */
function registerStop(stop: () => Promise<void>): void {
  stopSteps.push(stop);
}

function registerChild(name: string, child: ChildProcess): void {
  registerStop(() => stopGroup(child));
  // Any child dying on its own means the stack is broken: take everything down.
  child.once("exit", (code, signal) => {
    if (stopping) return;
    console.error(`\n${name} exited unexpectedly (${signal ?? `code ${code}`}); stopping everything.`);
    void stopAll(1);
  });
}

/** Spawns the jambonz emulator (its EMULATOR_* settings come from the environment) and returns its base URL. */
async function startJambonzEmulator(): Promise<string> {
  const child = spawnGroup("npx", ["tsx", "media-node/src/emulator/main.ts"], {
    EMULATOR_PORT: String(emulatorPort),
    EMULATOR_SPEED: emulatorSpeed,
  });
  registerChild("jambonz emulator", child);
  const url = `http://127.0.0.1:${emulatorPort}`;
  await waitForHttp(`${url}/health`, child, 30_000);
  return url;
}

/**
 * The media node's JAMBONZ_* settings for the emulator. The SDK client appends `/v1` itself, so the API URL is
 * the emulator's base URL; credentials follow EMULATOR_* when set (else both sides use the same defaults).
 */
function emulatorCredentials(emulatorUrl: string): Record<string, string> {
  const credentials: Record<string, string> = { JAMBONZ_API_URL: emulatorUrl };
  if (env.EMULATOR_ACCOUNT_SID) credentials.JAMBONZ_ACCOUNT_SID = env.EMULATOR_ACCOUNT_SID;
  if (env.EMULATOR_API_KEY) credentials.JAMBONZ_API_KEY = env.EMULATOR_API_KEY;
  if (env.EMULATOR_WEBHOOK_SECRET) credentials.JAMBONZ_WEBHOOK_SECRET = env.EMULATOR_WEBHOOK_SECRET;
  return credentials;
}

/**
 * Speech for Meuble's /api/voice: a hosted OpenAI-compatible engine when SPEECH_BASE_URL is set, else the local
 * eSpeak-NG server, which speaks (WAV) but cannot transcribe (the edge then answers 503).
 */
async function speechSettings(): Promise<Record<string, string>> {
  if (env.SPEECH_BASE_URL) {
    return {
      SPEECH_BASE_URL: env.SPEECH_BASE_URL,
      ...(env.SPEECH_API_KEY ? { SPEECH_API_KEY: env.SPEECH_API_KEY } : {}),
      ...(env.SPEECH_TTS_FORMAT ? { SPEECH_TTS_FORMAT: env.SPEECH_TTS_FORMAT } : {}),
    };
  }
  const child = spawnGroup("npx", ["tsx", "media-node/src/speech/main.ts"], { SPEECH_PORT: String(speechPort) });
  registerChild("speech server", child);
  const url = `http://127.0.0.1:${speechPort}`;
  await waitForHttp(`${url}/health`, child, 30_000);
  return { SPEECH_BASE_URL: `${url}/v1`, SPEECH_TTS_FORMAT: "wav" };
}

/** A random dev secret kept in .data, so sessions and tokens survive restarts. */
function devJwtSecret(): string {
  const file = join(dataDir, "dev-jwt-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const secret = randomBytes(36).toString("base64url"); // 48 characters
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

async function main(): Promise<void> {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      signalled = true;
      void stopAll(0);
    });
  }

  const database = await resolveDatabase({ dataDir: join(dataDir, "pglite"), port: Number(env.PGLITE_PORT ?? 54329) });
  registerStop(database.stop);
  await applyMigrations(database.url);
  const seed = await seedDemo(database.url, { orgSlug: "demo", demoPassword });
  for (const warning of seed.warnings) console.warn(`seed warning: ${warning}`);

  assertNotStopping();
  const bridge = await startWsBridge();
  registerStop(bridge.stop);

  assertNotStopping();
  const speech = await speechSettings();

  assertNotStopping();
  const edge = await startEdge({
    port: edgePort,
    vars: {
      DATABASE_URL: database.url,
      DB_WS_PROXY: bridge.url,
      JWT_SECRET: env.JWT_SECRET ?? devJwtSecret(),
      API_PASSWORD: apiPassword,
      ENVIRONMENT: "development",
      DEFAULT_ORG_SLUG: "demo",
      MEDIA_NODE_URL: `http://127.0.0.1:${mediaNodePort}`,
      INTERNAL_API_SECRET: internalApiSecret,
      // Development only: webhooks may target receivers on this machine (production refuses private targets).
      WEBHOOK_ALLOWED_HOSTS: env.WEBHOOK_ALLOWED_HOSTS ?? "127.0.0.1,localhost",
      ...speech,
      ...(env.API_CORS_ORIGINS ? { API_CORS_ORIGINS: env.API_CORS_ORIGINS } : {}),
    },
    persistTo: join(dataDir, "wrangler"),
    onSpawn: (child) => registerChild("edge (wrangler dev)", child),
  });

  assertNotStopping();
  // Started before the media node, which places its calls there (JAMBONZ_API_URL = the emulator's base URL).
  const jambonzEmulatorUrl = env.JAMBONZ_API_URL ? undefined : await startJambonzEmulator();
  if (jambonzEmulatorUrl) {
    console.log(`jambonz emulator: ${jambonzEmulatorUrl}/emulator/calls (speed ×${emulatorSpeed}, EMULATOR_SPEED)`);
  }

  assertNotStopping();
  const mediaNode = spawnGroup("npx", ["tsx", "media-node/src/main.ts"], {
    MEDIA_NODE_PORT: String(mediaNodePort),
    EDGE_URL: edge.url,
    INTERNAL_API_SECRET: internalApiSecret,
    // Where jambonz reaches the media node's hooks (/jambonz/*); a real jambonz needs a public URL here.
    PUBLIC_URL: env.PUBLIC_URL ?? `http://127.0.0.1:${mediaNodePort}`,
    ...(jambonzEmulatorUrl ? emulatorCredentials(jambonzEmulatorUrl) : {}),
  });
  registerChild("media node", mediaNode);
  const mediaNodeHealth = `http://127.0.0.1:${mediaNodePort}/health`;
  await waitForHttp(mediaNodeHealth, mediaNode, 30_000);

  if (!stopping) printBanner({ edgeUrl: edge.url, mediaNodeHealth, databaseLabel: database.label, seed });
}

function printBanner(info: {
  edgeUrl: string;
  mediaNodeHealth: string;
  databaseLabel: string;
  seed: { userEmail: string; acmeUserEmail: string };
}): void {
  const example = `curl -H "X-API-Key: ${apiPassword}" -H 'content-type: application/json' -d '{"query":"{ viewer { organization { name } } }"}' ${info.edgeUrl}/graphql`;
  const lines = [
    "",
    "Switchboard is running (Ctrl-C stops everything)",
    "",
    `  Edge              ${info.edgeUrl}`,
    `  GraphQL/GraphiQL  ${info.edgeUrl}/graphql`,
    `  Console           ${info.edgeUrl}/console   (live campaigns: sign in with the demo login below)`,
    `  REST API docs     ${info.edgeUrl}/docs   (OpenAPI: /openapi.json, ReDoc: /redoc)`,
    `  MiniBotPanel API  ${info.edgeUrl}/api/campaigns/   (health: /health, metrics: /metrics)`,
    `  Meuble de France  ${info.edgeUrl}/api/products?query=canapé   (also under /meuble; health: /meuble/health)`,
    `  Media node        ${info.mediaNodeHealth}`,
    `  Database          ${info.databaseLabel}`,
    "",
    `  Demo login        ${info.seed.userEmail} / ${demoPassword}   (org "demo")`,
    `  Second tenant     ${info.seed.acmeUserEmail} / ${demoPassword}   (org "acme")`,
    `  API_PASSWORD      ${apiPassword}   (legacy X-API-Key / ?password=)`,
    "",
    "  Try:",
    `  ${example}`,
    "",
  ];
  console.log(lines.join("\n"));
}

main().catch((error: unknown) => {
  // After Ctrl-C, a step failing because its child was stopped is expected, not worth reporting.
  if (!signalled && !(error instanceof Stopping)) console.error("npm start failed:", error);
  return stopAll(1);
});
