import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { campaignCallSummary, findCampaign } from "../../campaigns/service.js";
import { csvChunks } from "../../exports/csv.js";
import { jsonObjectChunks } from "../../exports/json.js";
import { callTranscript, campaignCallPages } from "../../exports/service.js";
import { streamText } from "../../exports/stream.js";
import { transcriptText } from "../../exports/transcript.js";
import type { AppBindings } from "../../http/app-types.js";
import { logUnexpected } from "../../http/errors.js";
import { openRecording, RECORDING_CONTENT_TYPE } from "../../recordings/service.js";
import { callerWith } from "./auth.js";
import { durationSeconds } from "./campaign-views.js";
import {
  attachment,
  CampaignExportJson,
  CsvExportQuery,
  callJson,
  campaignJson,
  csvColumns,
  csvRecord,
  exportLinks,
  fileStamp,
  isTrueWord,
  TranscriptJson,
  TranscriptQuery,
} from "./exports.shapes.js";
import { API_KEY_SECURITY, AUTHENTICATED_ERRORS, CallUuidParams, CampaignIdParams, errorResponse } from "./schemas.js";
import type { MiniBotPanelApp } from "./surface.js";

const tags = ["Exports"];
const binary = z.string().openapi({ format: "binary" });

const csvRoute = createRoute({
  method: "get",
  path: "/api/exports/campaign/{campaign_id}/csv",
  tags,
  summary: "Export CSV",
  description:
    "Exporte les résultats d'une campagne en CSV (streamé). `audio_link` est vide sans enregistrement, " +
    "`transcript_link` vide sans transcription.",
  security: API_KEY_SECURITY,
  request: { params: CampaignIdParams, query: CsvExportQuery },
  responses: {
    200: { content: { "text/csv": { schema: z.string() } }, description: "Fichier CSV" },
    404: errorResponse("Campagne introuvable"),
    ...AUTHENTICATED_ERRORS,
  },
});

const jsonRoute = createRoute({
  method: "get",
  path: "/api/exports/campaign/{campaign_id}/json",
  tags,
  summary: "Export JSON",
  description: "Exporte les résultats complets en JSON (streamé).",
  security: API_KEY_SECURITY,
  request: { params: CampaignIdParams },
  responses: {
    200: { content: { "application/json": { schema: CampaignExportJson } }, description: "Campagne et appels" },
    404: errorResponse("Campagne introuvable"),
    ...AUTHENTICATED_ERRORS,
  },
});

const audioRoute = createRoute({
  method: "get",
  path: "/api/exports/audio/{call_uuid}",
  tags,
  summary: "Télécharger audio",
  security: API_KEY_SECURITY,
  request: { params: CallUuidParams },
  responses: {
    200: { content: { [RECORDING_CONTENT_TYPE]: { schema: binary } }, description: "Fichier WAV" },
    404: errorResponse("Appel introuvable ou pas d'enregistrement disponible"),
    ...AUTHENTICATED_ERRORS,
  },
});

const transcriptRoute = createRoute({
  method: "get",
  path: "/api/exports/transcript/{call_uuid}",
  tags,
  summary: "Télécharger transcription",
  security: API_KEY_SECURITY,
  request: { params: CallUuidParams, query: TranscriptQuery },
  responses: {
    200: {
      content: { "text/plain": { schema: z.string() }, "application/json": { schema: TranscriptJson } },
      description: "Transcription (txt par défaut, ou json)",
    },
    404: errorResponse("Appel introuvable ou pas de transcription disponible"),
    ...AUTHENTICATED_ERRORS,
  },
});

/** The campaign and call exports. GET /api/exports/summary/{id} lives with the stats routes. */
export function registerExportRoutes(app: MiniBotPanelApp): void {
  app.openapi(csvRoute, async (c) => {
    const principal = callerWith(callerWith(c.var.principal, "campaigns:read"), "calls:read");
    const { campaign_id } = c.req.valid("param");
    const links = isTrueWord(c.req.valid("query").include_links) ? exportLinks(new URL(c.req.url).origin) : null;
    const db = c.var.database.db;
    const campaign = await findCampaign(db, principal.orgId, { number: campaign_id });
    const pages = campaignCallPages(db, principal.orgId, campaign.id);
    const chunks = csvChunks(csvColumns(links !== null), pages, (call) => csvRecord(call, links));
    return streamed(c, chunks, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": attachment(`campaign_${campaign.number}_${fileStamp(new Date())}.csv`),
    });
  });

  app.openapi(jsonRoute, async (c) => {
    const principal = callerWith(callerWith(c.var.principal, "campaigns:read"), "calls:read");
    const { campaign_id } = c.req.valid("param");
    const db = c.var.database.db;
    const campaign = await findCampaign(db, principal.orgId, { number: campaign_id });
    const stats = await campaignCallSummary(db, principal.orgId, campaign.id);
    const pages = campaignCallPages(db, principal.orgId, campaign.id);
    const chunks = jsonObjectChunks({ campaign: campaignJson(campaign, stats) }, "calls", pages, callJson);
    const response = streamed(c, chunks, {
      "content-type": "application/json; charset=utf-8",
      "content-disposition": attachment(`campaign_${campaign.number}_${fileStamp(new Date())}.json`),
    });
    // The body is CampaignExportJson, written incrementally: the typed c.json() cannot stream.
    return response as never;
  });

  app.openapi(audioRoute, async (c) => {
    const principal = callerWith(c.var.principal, "calls:read");
    const { call_uuid } = c.req.valid("param");
    const { callId, object } = await openRecording(c.var.database.db, c.var.env.RECORDINGS, principal.orgId, call_uuid);
    return new Response(object.body as unknown as ReadableStream, {
      headers: {
        "content-type": RECORDING_CONTENT_TYPE,
        "content-length": String(object.size),
        "content-disposition": attachment(`call_${callId}.wav`),
      },
    });
  });

  app.openapi(transcriptRoute, async (c) => {
    const principal = callerWith(c.var.principal, "calls:read");
    const { call_uuid } = c.req.valid("param");
    const { format } = c.req.valid("query");
    const transcript = await callTranscript(c.var.database.db, principal.orgId, call_uuid);
    const transcription = transcriptText(transcript.turns);
    if (format === "json") {
      return c.json(
        {
          call_uuid: transcript.callId,
          transcription,
          duration: durationSeconds(transcript.durationMs),
          sentiment: transcript.sentiment,
        },
        200,
      );
    }
    return c.text(`${transcription}\n`, 200, {
      "content-disposition": attachment(`transcript_${transcript.callId}.txt`),
    });
  });
}

/**
 * A 200 whose body is produced while the client reads it. The request's database connection stays
 * open until the stream ends or the client goes away (which cancels the pull loop).
 */
function streamed(c: Context<AppBindings>, chunks: AsyncIterable<string>, headers: Record<string, string>): Response {
  const { stream, finished } = streamText(chunks, (error) => logUnexpected(c.var.requestId, error));
  c.var.database.keepOpenUntil(finished);
  return new Response(stream, { status: 200, headers: { ...headers, "cache-control": "no-store" } });
}
