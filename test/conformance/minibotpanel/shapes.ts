import { z } from "zod";

/**
 * The documented bodies of shared/api-docs/minibotpanel.md, encoded as zod shapes: every field the
 * document shows, with the type and the string format it shows. Objects are not strict: a field the
 * document does not show is allowed, a documented one that is missing or mistyped is not.
 */

/** The string formats the document prints. */
export const FORMATS = {
  /** `2025-01-15T14:00:00.000000`: naive UTC with microseconds. */
  timestamp: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/,
  /** `26.4%`, or `0%` when there is nothing to divide by. */
  percent: /^(?:\d+\.\d|0)%$/,
  /** `124.5s`. */
  seconds: /^\d+\.\ds$/,
  /** `180.5min`. */
  minutes: /^\d+\.\dmin$/,
  /** `52.3` (calls_per_hour). */
  oneDecimal: /^\d+\.\d$/,
  /** `5h 32m`. */
  uptime: /^\d+h \d{1,2}m$/,
  /** `[2025-01-15 14:10:05] Agent: Allô, bonjour…` (one transcript line). */
  transcriptLine: /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] (?:Agent|Contact|\w+): .*$/,
} as const;

export const CSV_HEADER =
  "phone,first_name,last_name,email,company,status,result,duration,sentiment,confidence,amd_result,created_at,ended_at,audio_link,transcript_link";
export const CSV_HEADER_WITHOUT_LINKS = CSV_HEADER.replace(",audio_link,transcript_link", "");

const int = z.number().int();
const timestamp = z.string().regex(FORMATS.timestamp);
const percentage = z.string().regex(FORMATS.percent);
const seconds = z.string().regex(FORMATS.seconds);

export const CAMPAIGN_STATUSES = ["pending", "running", "paused", "completed", "cancelled"] as const;
export const CALL_STATUSES = [
  "pending",
  "calling",
  "ringing",
  "in_progress",
  "completed",
  "failed",
  "cancelled",
  "no_answer",
] as const;
export const CALL_RESULTS = [
  "lead",
  "not_interested",
  "callback",
  "no_answer",
  "failed",
  "wrong_number",
  "answering_machine",
] as const;
const campaignStatus = z.enum(CAMPAIGN_STATUSES);
const sentiment = z.enum(["positive", "neutral", "negative"]);

// ---- root ---------------------------------------------------------------------------------------------------

export const RootInfo = z.object({
  name: z.literal("MiniBotPanel v3 API"),
  version: z.literal("3.0.0"),
  status: z.literal("running"),
  uptime: z.string().regex(FORMATS.uptime),
  documentation: z.object({
    swagger: z.literal("/docs"),
    redoc: z.literal("/redoc"),
    openapi: z.literal("/openapi.json"),
  }),
  endpoints: z.object({
    campaigns: z.literal("/api/campaigns"),
    statistics: z.literal("/api/stats"),
    exports: z.literal("/api/exports"),
  }),
});

/** The document names FreeSWITCH, Vosk and Ollama; only the envelope and the database are asserted by name. */
export const Health = z.object({
  status: z.string(),
  timestamp,
  components: z.object({ database: z.object({ status: z.string() }) }).catchall(z.object({ status: z.string() })),
});

/** The four metric families of the documented Prometheus text. */
export const METRIC_FAMILIES = {
  minibot_campaigns_active: "gauge",
  minibot_calls_active: "gauge",
  minibot_calls_completed_total: "counter",
  minibot_uptime_seconds: "gauge",
} as const;

// ---- campaigns ----------------------------------------------------------------------------------------------

const campaignSettings = {
  id: int,
  name: z.string(),
  description: z.string().nullable(),
  scenario: z.string(),
  max_concurrent_calls: int,
  batch_size: int,
  retry_enabled: z.boolean(),
  max_retries: int,
  created_at: timestamp,
};

export const CampaignCreated = z.object({
  ...campaignSettings,
  status: z.literal("pending"),
  stats: z.object({ total: int, completed: int, pending: int }),
  started_at: z.null(),
  completed_at: z.null(),
});

export const CampaignDetail = z.object({
  ...campaignSettings,
  status: campaignStatus,
  stats: z.object({
    total: int,
    completed: int,
    in_progress: int,
    pending: int,
    leads: int,
    not_interested: int,
    callbacks: int,
  }),
  started_at: timestamp.nullable(),
  completed_at: timestamp.nullable(),
});

/** The PATCH answer shows `stats: {...}`: an object whose content the document leaves out. */
export const CampaignPatched = z.object({
  id: int,
  name: z.string(),
  description: z.string().nullable(),
  scenario: z.string(),
  status: campaignStatus,
  max_concurrent_calls: int,
  stats: z.object({}),
  created_at: timestamp,
  started_at: timestamp.nullable(),
  completed_at: timestamp.nullable(),
});

export const CampaignList = z.object({
  total: int,
  limit: int,
  offset: int,
  campaigns: z.array(
    z.object({
      id: int,
      name: z.string(),
      scenario: z.string(),
      status: campaignStatus,
      stats: z.object({ total: int, completed: int, in_progress: int, pending: int }),
      created_at: timestamp,
    }),
  ),
});

export const ActionResult = z.object({ status: z.literal("success"), message: z.string(), campaign_id: int });

export const StopResult = ActionResult.extend({
  final_stats: z.object({ total: int, completed: int, pending: int, leads: int, not_interested: int }),
});

/** A call not yet placed has no result, duration or sentiment; those are nullable here. */
export const CallList = z.object({
  total: int,
  limit: int,
  offset: int,
  calls: z.array(
    z.object({
      id: int,
      uuid: z.string(),
      contact: z.object({
        phone: z.string(),
        first_name: z.string().nullable(),
        last_name: z.string().nullable(),
        company: z.string().nullable(),
      }),
      status: z.enum(CALL_STATUSES),
      result: z.enum(CALL_RESULTS).nullable(),
      duration: int.nullable(),
      sentiment: sentiment.nullable(),
      created_at: timestamp,
    }),
  ),
});

// ---- statistics ---------------------------------------------------------------------------------------------

const counts = <K extends string>(keys: readonly K[]) =>
  z.object(Object.fromEntries(keys.map((key) => [key, int])) as Record<K, typeof int>);

export const CampaignStats = z.object({
  campaign_id: int,
  campaign_name: z.string(),
  campaign_status: campaignStatus,
  total: int,
  status: counts(CALL_STATUSES),
  results: counts(CALL_RESULTS),
  sentiment: counts(["positive", "neutral", "negative"]),
  amd: z.object({ human: int, machine: int, detection_rate: z.union([percentage, z.literal("N/A")]) }),
  averages: z.object({ duration: seconds, calls_per_hour: z.string().regex(FORMATS.oneDecimal) }),
  conversion: z.object({ leads: int, rate: percentage }),
  timestamps: z.object({
    created: timestamp,
    started: timestamp.nullable(),
    completed: timestamp.nullable(),
    elapsed_seconds: int,
  }),
});

export const LiveStats = z.object({
  campaign_id: int,
  campaign_name: z.string(),
  status: campaignStatus,
  total: int,
  completed: int,
  in_progress: int,
  pending: int,
  results: counts(["leads", "not_interested", "callbacks", "answering_machines", "no_answer"]),
  percentages: z.object({ completion: percentage, leads: percentage, not_interested: percentage }),
  duration: z.object({ average: seconds, total: z.string().regex(FORMATS.minutes) }),
  sentiment: counts(["positive", "neutral", "negative"]).extend({ positive_rate: percentage }),
  eta: timestamp.nullable(),
  last_update: timestamp,
});

export const Timeline = z.object({
  campaign_id: int,
  interval_minutes: int,
  timeline: z.array(z.object({ timestamp, calls: int, leads: int })),
});

export const SystemStats = z.object({
  system: z.object({ version: z.literal("3.0.0"), status: z.string(), uptime: z.string().regex(FORMATS.uptime) }),
  campaigns: counts(["total", "active", "completed"]),
  calls: z.object({ total: int, today: int, active_now: int, average_duration: seconds }),
  contacts: counts(["total"]),
  performance: z.object({ conversion_rate: percentage, total_leads: int }),
  limits: z.object({ max_concurrent_calls: int, current_usage: percentage }),
});

// ---- exports ------------------------------------------------------------------------------------------------

export const ExportJson = z.object({
  campaign: z.object({
    id: int,
    name: z.string(),
    description: z.string().nullable(),
    scenario: z.string(),
    status: campaignStatus,
    stats: z.object({}),
    created_at: timestamp,
    started_at: timestamp.nullable(),
    completed_at: timestamp.nullable(),
  }),
  calls: z.array(
    z.object({
      uuid: z.string(),
      contact: z.object({
        phone: z.string(),
        first_name: z.string().nullable(),
        last_name: z.string().nullable(),
        email: z.string().nullable(),
        company: z.string().nullable(),
      }),
      status: z.enum(CALL_STATUSES),
      result: z.enum(CALL_RESULTS).nullable(),
      duration: int.nullable(),
      sentiment: sentiment.nullable(),
      confidence: z.number().nullable(),
      amd_result: z.string().nullable(),
      metadata: z.record(z.string(), z.unknown()),
      created_at: timestamp,
      answered_at: timestamp.nullable(),
      ended_at: timestamp.nullable(),
    }),
  ),
});

export const TranscriptJson = z.object({
  call_uuid: z.string(),
  transcription: z.string(),
  duration: int,
  sentiment,
});

export const Summary = z.object({
  campaign: z.object({ id: int, name: z.string(), scenario: z.string(), status: campaignStatus }),
  summary: z.object({
    total_calls: int,
    completed_calls: int,
    completion_rate: percentage,
    results: counts(CALL_RESULTS),
    conversion_rate: percentage,
    average_duration: seconds,
    date_range: z.object({ started: timestamp.nullable(), completed: timestamp.nullable() }),
  }),
});

// ---- errors -------------------------------------------------------------------------------------------------

export const UNAUTHORIZED_BODY = {
  error: {
    code: "UNAUTHORIZED",
    message: "Invalid or missing API password. Provide it via X-API-Key header or ?password= query param.",
  },
};

/** Parses `body` with `shape`, failing with every issue and the body itself. */
export function expectShape<T extends z.ZodType>(shape: T, body: unknown): z.infer<T> {
  const parsed = shape.safeParse(body);
  if (!parsed.success) {
    throw new Error(
      `body does not match the documented shape:\n${z.prettifyError(parsed.error)}\n${JSON.stringify(body)}`,
    );
  }
  return parsed.data;
}

/** An error body without the request id the product adds inside `error`, so it compares with the documented one. */
export function withoutRequestId(body: unknown): unknown {
  if (typeof body !== "object" || body === null || !("error" in body)) return body;
  const { request_id: _ignored, ...error } = (body as { error: Record<string, unknown> }).error;
  return { ...body, error };
}
