import type { Context, Hono } from "hono";
import type { AppBindings } from "../../http/app-types.js";
import { allBreakers, breakerFor, UPSTREAMS } from "../../ops/circuit-breakers.js";
import { checkDatabase } from "../../ops/health.js";
import { queryStats } from "../../ops/query-stats.js";
import { uptimeMs } from "../../ops/uptime.js";
import { speechProvider } from "../../speech/service.js";
import { isoSeconds } from "./auth.routes.js";

export const MEUBLE_APP_NAME = "Mobilier de France Chatbot";
export const MEUBLE_VERSION = "1.0.0";

/**
 * A Worker isolate exposes no process memory, CPU or thread figures: those fields are null and the memory
 * status says "unavailable" rather than inventing numbers.
 */
function health(c: Context<AppBindings>) {
  return c.json(
    {
      status: "healthy",
      app: MEUBLE_APP_NAME,
      version: MEUBLE_VERSION,
      uptime_seconds: Math.floor(uptimeMs() / 1000),
      memory_mb: null,
      memory_status: "unavailable",
      cpu_percent: null,
      threads: null,
    },
    200,
  );
}

/** A real round trip under the database breaker: a failed probe counts against it, an open one is not tried. */
async function probeDatabase(c: Context<AppBindings>): Promise<{ healthy: boolean; latencyMs: number | null }> {
  try {
    return await breakerFor("database").run(async () => {
      const report = await checkDatabase(() => c.var.database.db, undefined);
      if (report.status !== "healthy") throw new Error(report.error ?? "database unhealthy");
      return { healthy: true, latencyMs: report.latency_ms ?? null };
    });
  } catch {
    return { healthy: false, latencyMs: null };
  }
}

async function ready(c: Context<AppBindings>) {
  const database = await probeDatabase(c);
  const llm = breakerFor("llm").snapshot();
  const databaseHealthy = database.healthy;
  const llmHealthy = llm.state !== "open";
  return c.json(
    {
      ready: databaseHealthy && llmHealthy,
      critical_ready: databaseHealthy,
      checks: {
        database: { healthy: databaseHealthy, response_time_ms: database.latencyMs },
        // Rate-limit counters live in Durable Objects; there is no separate cache server to check.
        cache: { healthy: true, type: "durable_objects" },
        openai_api: {
          healthy: llmHealthy,
          configured: Boolean(c.var.env.LLM_BASE_URL),
          breakers: { openai: { state: llm.state, success_rate: llm.success_rate } },
        },
        memory: { healthy: true, status: "unavailable", rss_mb: null },
      },
    },
    databaseHealthy ? 200 : 503,
  );
}

function circuitBreakers(c: Context<AppBindings>) {
  const breakers = allBreakers();
  const states = Object.values(breakers).map((breaker) => breaker.state);
  const count = (state: string) => states.filter((each) => each === state).length;
  return c.json(
    {
      healthy: count("open") === 0,
      breakers,
      summary: { total: UPSTREAMS.length, closed: count("closed"), open: count("open"), half_open: count("half_open") },
    },
    200,
  );
}

/** Which settings are present (never their values), and whether the required ones are. */
function envStatus(c: Context<AppBindings>) {
  const env = c.var.env;
  const settings = {
    DATABASE_URL: { required: true, set: Boolean(env.DATABASE_URL) },
    JWT_SECRET: { required: true, set: Boolean(env.JWT_SECRET) },
    UPLOADS: { required: true, set: Boolean(env.UPLOADS) },
    LLM_BASE_URL: { required: false, set: Boolean(env.LLM_BASE_URL) },
    SPEECH_BASE_URL: { required: false, set: Boolean(env.SPEECH_BASE_URL) },
    AI: { required: false, set: Boolean(env.AI) },
  };
  const missing = Object.entries(settings)
    .filter(([, setting]) => setting.required && !setting.set)
    .map(([name]) => name);
  return c.json(
    {
      valid: missing.length === 0,
      environment: env.ENVIRONMENT,
      missing_required: missing,
      settings,
      features: {
        llm: env.LLM_BASE_URL ? "openai-compatible" : "rules:v1",
        speech: speechProvider(env)?.name ?? null,
      },
      timestamp: isoSeconds(new Date()),
    },
    200,
  );
}

/** /health (only where no other surface has it), /ready, /query-stats, /memory, /circuit-breakers, /env-status. */
export function registerMeubleOpsRoutes(app: Hono<AppBindings>, options: { withHealth: boolean }): void {
  if (options.withHealth) app.get("/health", health);
  app.get("/ready", ready);
  app.get("/query-stats", (c) => c.json({ ...queryStats(), timestamp: isoSeconds(new Date()) }, 200));
  app.get("/memory", (c) =>
    c.json(
      {
        status: "unavailable",
        alert_level: null,
        messages: ["A Cloudflare Worker isolate exposes no process or system memory figures"],
        usage: { process: null, system: null },
      },
      200,
    ),
  );
  app.get("/circuit-breakers", circuitBreakers);
  app.get("/env-status", envStatus);
}
