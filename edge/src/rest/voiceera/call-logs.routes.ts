import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { type CallLog, findCallLog, listCallLogPage } from "../../calls/call-logs.js";
import { ACTIVE_STATUSES } from "../../calls/status-groups.js";
import { toInternational } from "../../contacts/phone.js";
import type { AppBindings } from "../../http/app-types.js";
import { signDownloadToken, verifyDownloadToken } from "../../recordings/download-link.js";
import { openRecording, RECORDING_CONTENT_TYPE, recordingDetails } from "../../recordings/service.js";
import { periodBound } from "../../shared/dates.js";
import { caller, mountBase } from "./auth.js";
import { callStatusWord, seconds, transcriptOf, voiceEraTimestamp } from "./format.js";
import {
  AUTHENTICATED_ERRORS,
  BEARER_SECURITY,
  CallIdParams,
  errorResponse,
  json,
  pagingQuery,
  Timestamp,
} from "./schemas.js";
import type { VoiceEraApp } from "./surface.js";

const CALL_NOT_FOUND = { 404: errorResponse("CALL_001 call log not found") };

/** The documented status filter: completed, busy, or in progress (dialling, ringing or talking). */
const StatusFilter = z.preprocess(
  (value) =>
    typeof value === "string"
      ? value
          .trim()
          .toLowerCase()
          .replace(/[\s-]+/g, "_")
      : value,
  z.enum(["completed", "busy", "in_progress"]),
);
const STATUSES_OF = {
  completed: ["completed"],
  busy: ["busy"],
  in_progress: ACTIVE_STATUSES,
} as const;

const dateBound = (side: "start" | "end") =>
  z
    .string()
    .transform((value, ctx) => {
      const date = periodBound(value, side);
      if (!date) ctx.addIssue({ code: "custom", message: "Expected YYYY-MM-DD or an ISO date-time" });
      return date ?? new Date(Number.NaN);
    })
    .optional()
    .openapi({ type: "string", example: side === "start" ? "2024-01-01" : "2024-01-31" });

const CallLogItem = z.object({
  id: z.string(),
  campaign_id: z.string().nullable(),
  phone_number: z.string(),
  status: z.string(),
  duration_seconds: z.number().int(),
  sentiment: z.enum(["positive", "neutral", "negative"]).nullable(),
  emotions: z.array(z.string()),
  transcript: z.string(),
  created_at: Timestamp,
});

const CallLogDetail = CallLogItem.extend({
  summary: z.string().nullable(),
  key_phrases: z.array(z.string()),
  recording_url: z.string().nullable().openapi({ description: "Signed download link, valid 15 minutes" }),
  cost: z.number(),
}).openapi("VoiceEraCallLog");

const listRoute = createRoute({
  method: "get",
  path: "/call-logs",
  tags: ["VoiceERA: Call logs"],
  summary: "List Call Logs",
  description: "Newest first. A bare start_date starts at 00:00:00, a bare end_date ends at 23:59:59 (UTC).",
  security: BEARER_SECURITY,
  request: {
    query: z.object({
      campaign_id: z.string().optional(),
      status: StatusFilter.optional().openapi({ type: "string", enum: ["completed", "busy", "in_progress"] }),
      phone_number: z.string().max(32).optional().openapi({ example: "+1234567890" }),
      start_date: dateBound("start"),
      end_date: dateBound("end"),
      ...pagingQuery(50),
    }),
  },
  responses: {
    200: json(
      z.object({ total: z.number().int(), items: z.array(CallLogItem) }).openapi("VoiceEraCallLogList"),
      "Calls",
    ),
    ...AUTHENTICATED_ERRORS,
  },
});

const detailRoute = createRoute({
  method: "get",
  path: "/call-logs/{call_id}",
  tags: ["VoiceERA: Call logs"],
  summary: "Get Call Details",
  security: BEARER_SECURITY,
  request: { params: CallIdParams },
  responses: { 200: json(CallLogDetail, "The call"), ...CALL_NOT_FOUND, ...AUTHENTICATED_ERRORS },
});

const RecordingBody = z
  .object({
    call_id: z.string(),
    duration_seconds: z.number().int(),
    format: z.literal("wav"),
    size_bytes: z.number().int(),
    download_url: z.string().openapi({ description: "Works without a token for 15 minutes" }),
    transcript: z.string(),
    metadata: z.object({
      agent_id: z.string().nullable(),
      campaign_id: z.string().nullable(),
      phone_number: z.string(),
    }),
  })
  .openapi("VoiceEraRecording");

const recordingRoute = createRoute({
  method: "get",
  path: "/call-recordings/{call_id}",
  tags: ["VoiceERA: Recordings"],
  summary: "Get Recording",
  security: BEARER_SECURITY,
  request: { params: CallIdParams },
  responses: {
    200: json(RecordingBody, "The recording"),
    404: errorResponse("CALL_001 no such call, or it has no recording"),
    ...AUTHENTICATED_ERRORS,
  },
});

const downloadRoute = createRoute({
  method: "get",
  path: "/call-recordings/{call_id}/download",
  tags: ["VoiceERA: Recordings"],
  summary: "Download Recording",
  description: "With a bearer token, or with the `token` of a `download_url` (expires after 15 minutes).",
  security: BEARER_SECURITY,
  request: { params: CallIdParams, query: z.object({ token: z.string().max(2000).optional() }) },
  responses: {
    200: { content: { "audio/wav": { schema: z.string().openapi({ format: "binary" }) } }, description: "WAV audio" },
    404: errorResponse("CALL_001 no such call, or it has no recording"),
    ...AUTHENTICATED_ERRORS,
  },
});

function item(call: CallLog) {
  return {
    id: call.id,
    campaign_id: call.campaignId,
    phone_number: call.phoneNumber,
    status: callStatusWord(call.status),
    duration_seconds: seconds(call.durationMs),
    sentiment: call.sentiment,
    emotions: call.emotions,
    transcript: transcriptOf(call.turns),
    created_at: voiceEraTimestamp(call.createdAt),
  };
}

async function downloadUrl(c: Context<AppBindings>, orgId: string, callId: string): Promise<string> {
  const { token } = await signDownloadToken(c.var.env.JWT_SECRET, { orgId, callId });
  return `${mountBase(c)}/call-recordings/${callId}/download?token=${encodeURIComponent(token)}`;
}

export function registerCallLogRoutes(app: VoiceEraApp): void {
  app.openapi(listRoute, async (c) => {
    const principal = caller(c, "calls:read");
    const query = c.req.valid("query");
    const filter = {
      campaignId: query.campaign_id,
      statuses: query.status ? STATUSES_OF[query.status] : undefined,
      phoneNumber: query.phone_number ? (toInternational(query.phone_number) ?? query.phone_number.trim()) : undefined,
      from: query.start_date,
      to: query.end_date,
    };
    const page = await listCallLogPage(c.var.database.db, principal.orgId, filter, {
      offset: query.skip,
      limit: query.limit,
    });
    return c.json({ total: page.total, items: page.rows.map(item) }, 200);
  });

  app.openapi(detailRoute, async (c) => {
    const principal = caller(c, "calls:read");
    const call = await findCallLog(c.var.database.db, principal.orgId, c.req.valid("param").call_id);
    return c.json(
      {
        ...item(call),
        summary: call.summary,
        key_phrases: call.keyPhrases,
        recording_url: call.recordingKey ? await downloadUrl(c, principal.orgId, call.id) : null,
        cost: call.cost ?? 0,
      },
      200,
    );
  });

  app.openapi(recordingRoute, async (c) => {
    const principal = caller(c, "calls:read");
    const { call_id } = c.req.valid("param");
    const db = c.var.database.db;
    const recording = await recordingDetails(db, c.var.env.RECORDINGS, principal.orgId, call_id);
    const call = await findCallLog(db, principal.orgId, recording.callId);
    return c.json(
      {
        call_id: recording.callId,
        duration_seconds: seconds(recording.durationMs ?? call.durationMs),
        format: "wav" as const,
        size_bytes: recording.bytes,
        download_url: await downloadUrl(c, principal.orgId, recording.callId),
        transcript: transcriptOf(call.turns),
        metadata: { agent_id: recording.agentId, campaign_id: recording.campaignId, phone_number: call.phoneNumber },
      },
      200,
    );
  });

  app.openapi(downloadRoute, async (c) => {
    const { call_id } = c.req.valid("param");
    const { token } = c.req.valid("query");
    const orgId = token
      ? (await verifyDownloadToken(c.var.env.JWT_SECRET, token, call_id)).orgId
      : caller(c, "calls:read").orgId;
    const { callId, object } = await openRecording(c.var.database.db, c.var.env.RECORDINGS, orgId, call_id);
    return new Response(object.body as unknown as ReadableStream, {
      headers: {
        "content-type": RECORDING_CONTENT_TYPE,
        "content-length": String(object.size),
        "content-disposition": `attachment; filename="call_${callId}.wav"`,
        "cache-control": "private, no-store",
      },
    });
  });
}
