import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../db/client.js";
import { COMPONENT_STATUSES, type ComponentStatus, type OverallStatus, overallStatus } from "./health-status.js";
import { type HttpProbe, ProbeTimeout, probeHttp, publicUrl, withTimeout } from "./probes.js";

/** A new Neon connection can take a while to wake; the HTTP probes are short. */
export const DATABASE_TIMEOUT_MS = 3_000;
export const HTTP_PROBE_TIMEOUT_MS = 1_500;

export type ComponentReport = {
  status: ComponentStatus;
  latency_ms?: number;
  url?: string;
  error?: string;
};
export type TelephonyReport = ComponentReport & { uptime_seconds?: number };
export type SpeechReport = ComponentReport & { asr?: string; tts?: string; detail?: string };

export type HealthReport = {
  status: OverallStatus;
  checkedAt: Date;
  components: { database: ComponentReport; telephony: TelephonyReport; speech: SpeechReport; llm: ComponentReport };
};

export type HealthDependencies = {
  /** Opened lazily: the connection is part of what is checked. */
  db: () => Database;
  mediaNodeUrl: string;
  llmBaseUrl?: string | undefined;
  fetcher?: typeof fetch;
  /** Where failures are logged in full; the public report only says what failed. */
  logFailure?: (component: string, error: unknown) => void;
};

/** Checks every component in parallel. Database and telephony are critical; speech and the LLM are not. */
export async function checkHealth(deps: HealthDependencies): Promise<HealthReport> {
  const fetcher = deps.fetcher ?? fetch;
  const [database, mediaNode, llm] = await Promise.all([
    checkDatabase(deps.db, deps.logFailure),
    probeHttp(`${trimSlash(deps.mediaNodeUrl)}/health`, HTTP_PROBE_TIMEOUT_MS, fetcher),
    checkLlm(deps.llmBaseUrl, fetcher),
  ]);
  const telephony = telephonyFrom(mediaNode, deps.mediaNodeUrl);
  const speech = speechFrom(mediaNode);
  const status = overallStatus([
    { status: database.status, critical: true },
    { status: telephony.status, critical: true },
    { status: speech.status, critical: false },
    { status: llm.status, critical: false },
  ]);
  return { status, checkedAt: new Date(), components: { database, telephony, speech, llm } };
}

export async function checkDatabase(
  db: () => Database,
  logFailure: HealthDependencies["logFailure"],
): Promise<ComponentReport> {
  const started = Date.now();
  try {
    await withTimeout(
      Promise.resolve().then(() => db().execute(sql`select 1`)),
      DATABASE_TIMEOUT_MS,
    );
    return { status: "healthy", latency_ms: Date.now() - started };
  } catch (error) {
    logFailure?.("database", error);
    const message = error instanceof ProbeTimeout ? error.message : "query failed";
    return { status: "unhealthy", latency_ms: Date.now() - started, error: message };
  }
}

/** What the media node says about itself on /health (extra fields are ignored). */
const MediaNodeHealth = z.object({
  status: z.string(),
  uptime_seconds: z.number().optional(),
  speech: z
    .object({
      status: z.string(),
      asr: z.string().optional(),
      tts: z.string().optional(),
      detail: z.string().optional(),
    })
    .optional(),
});

const HEALTHY_WORDS = new Set(["ok", "healthy"]);

function telephonyFrom(probe: HttpProbe, mediaNodeUrl: string): TelephonyReport {
  const report = { url: publicUrl(mediaNodeUrl), latency_ms: probe.latencyMs };
  if (!probe.ok) return { status: "unhealthy", ...report, error: probe.error ?? "unreachable" };
  const parsed = MediaNodeHealth.safeParse(probe.body);
  if (!parsed.success) return { status: "degraded", ...report, error: "unexpected /health payload" };
  const { status, uptime_seconds } = parsed.data;
  return {
    status: HEALTHY_WORDS.has(status) ? "healthy" : "degraded",
    ...report,
    ...(uptime_seconds === undefined ? {} : { uptime_seconds }),
    ...(HEALTHY_WORDS.has(status) ? {} : { error: `media node reports "${status.slice(0, 40)}"` }),
  };
}

/** Speech (ASR/TTS) runs on jambonz behind the media node, so the media node's own report is all there is. */
function speechFrom(probe: HttpProbe): SpeechReport {
  if (!probe.ok) return { status: "unknown", error: "media node unreachable" };
  const speech = MediaNodeHealth.safeParse(probe.body).data?.speech;
  if (!speech) return { status: "unknown", error: "the media node did not report on speech" };
  const status = (COMPONENT_STATUSES as readonly string[]).includes(speech.status)
    ? (speech.status as ComponentStatus)
    : "unknown";
  return {
    status,
    ...(speech.asr ? { asr: speech.asr } : {}),
    ...(speech.tts ? { tts: speech.tts } : {}),
    ...(speech.detail ? { detail: speech.detail } : {}),
  };
}

/** Scenario agents need no LLM, so an unset LLM_BASE_URL is a choice, not a fault. */
async function checkLlm(baseUrl: string | undefined, fetcher: typeof fetch): Promise<ComponentReport> {
  if (!baseUrl) return { status: "not_configured" };
  const probe = await probeHttp(`${trimSlash(baseUrl)}/models`, HTTP_PROBE_TIMEOUT_MS, fetcher);
  const report = { url: publicUrl(baseUrl), latency_ms: probe.latencyMs };
  return probe.ok ? { status: "healthy", ...report } : { status: "unhealthy", ...report, error: probe.error ?? "" };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}
