import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEdge } from "../../schema/src/local/stack.js";
import { startWsBridge } from "../../schema/src/local/ws-bridge.js";
import { freePort } from "./ports.js";

/** The one cross-origin caller the test worker allows (API_CORS_ORIGINS). */
export const TEST_CORS_ORIGIN = "https://dashboard.switchboard.test";

/**
 * The bridge and the worker under wrangler dev on a free port, with throw-away wrangler state and a
 * random JWT secret. Each started part pushes its stop onto `stops`, so a failed start still cleans up.
 */
export async function startThrowawayEdge(options: {
  databaseUrl: string;
  apiPassword: string;
  internalApiSecret?: string;
  mediaNodeUrl?: string;
  /** Further worker vars (e.g. LLM_BASE_URL) for this worker only. */
  vars?: Record<string, string>;
  environment: "test" | "development";
  stops: Array<() => Promise<void>>;
  /** A bridge already running (elsewhere); by default one is started in this process. */
  wsProxyUrl?: string;
}): Promise<string> {
  const wsProxyUrl = options.wsProxyUrl ?? (await startOwnBridge(options.stops));
  const persistTo = mkdtempSync(join(tmpdir(), "switchboard-wrangler-"));
  options.stops.push(async () => rmSync(persistTo, { recursive: true, force: true }));
  const edge = await startEdge({
    port: await freePort(),
    quiet: true,
    persistTo,
    vars: {
      DATABASE_URL: options.databaseUrl,
      DB_WS_PROXY: wsProxyUrl,
      JWT_SECRET: randomBytes(36).toString("base64url"),
      API_PASSWORD: options.apiPassword,
      ENVIRONMENT: options.environment,
      DEFAULT_ORG_SLUG: "demo",
      API_CORS_ORIGINS: TEST_CORS_ORIGIN,
      ...(options.internalApiSecret ? { INTERNAL_API_SECRET: options.internalApiSecret } : {}),
      ...(options.mediaNodeUrl ? { MEDIA_NODE_URL: options.mediaNodeUrl } : {}),
      ...options.vars,
    },
  });
  options.stops.push(edge.stop);
  return edge.url;
}

async function startOwnBridge(stops: Array<() => Promise<void>>): Promise<string> {
  const bridge = await startWsBridge();
  stops.push(bridge.stop);
  return bridge.url;
}
