import { z } from "@hono/zod-openapi";
import type { CallSummary, CampaignView } from "../../campaigns/service.js";
import type { CsvCell } from "../../exports/csv.js";
import type { ExportedCall } from "../../exports/service.js";
import { campaignRecord, detailCounts, durationSeconds, legacyCallStatus } from "./campaign-views.js";
import { legacyTimestamp } from "./format.js";

/** MiniBotPanel's export formats (shared/api-docs/minibotpanel.md, "Exports"). */

export const CSV_COLUMNS = [
  "phone",
  "first_name",
  "last_name",
  "email",
  "company",
  "status",
  "result",
  "duration",
  "sentiment",
  "confidence",
  "amd_result",
  "created_at",
  "ended_at",
] as const;
export const CSV_LINK_COLUMNS = ["audio_link", "transcript_link"] as const;

/** The download URLs of a call's files, on the origin the client used. */
export type ExportLinks = { audio: (callId: string) => string; transcript: (callId: string) => string };

export function exportLinks(origin: string): ExportLinks {
  return {
    audio: (callId) => `${origin}/api/exports/audio/${callId}`,
    transcript: (callId) => `${origin}/api/exports/transcript/${callId}`,
  };
}

export function csvColumns(includeLinks: boolean): string[] {
  return includeLinks ? [...CSV_COLUMNS, ...CSV_LINK_COLUMNS] : [...CSV_COLUMNS];
}

/** One CSV line; a link is empty when there is nothing to download (no recording, no turns). */
export function csvRecord(call: ExportedCall, links: ExportLinks | null): CsvCell[] {
  const record: CsvCell[] = [
    call.contact.phone,
    call.contact.firstName,
    call.contact.lastName,
    call.contact.email,
    call.contact.company,
    legacyCallStatus(call.status),
    call.result,
    durationSeconds(call.durationMs),
    call.sentiment,
    call.confidence,
    call.amdResult,
    secondsTimestamp(call.createdAt),
    secondsTimestamp(call.endedAt),
  ];
  if (!links) return record;
  return [
    ...record,
    call.hasRecording ? links.audio(call.id) : null,
    call.hasTranscript ? links.transcript(call.id) : null,
  ];
}

/** The `campaign` object of the JSON export. */
export function campaignJson(campaign: CampaignView, stats: CallSummary) {
  return campaignRecord(campaign, detailCounts(stats));
}

/** One item of the JSON export's `calls`. */
export function callJson(call: ExportedCall) {
  return {
    uuid: call.id,
    contact: {
      phone: call.contact.phone,
      first_name: call.contact.firstName,
      last_name: call.contact.lastName,
      email: call.contact.email,
      company: call.contact.company,
    },
    status: legacyCallStatus(call.status),
    result: call.result,
    duration: durationSeconds(call.durationMs),
    sentiment: call.sentiment,
    confidence: call.confidence,
    amd_result: call.amdResult,
    metadata: call.metadata,
    created_at: legacyTimestamp(call.createdAt),
    answered_at: legacyTimestamp(call.answeredAt),
    ended_at: legacyTimestamp(call.endedAt),
  };
}

/** `2025-01-15T14:10:00`: the CSV's timestamps are naive UTC without a fraction. */
export function secondsTimestamp(date: Date | null): string | null {
  return date ? date.toISOString().slice(0, 19) : null;
}

/** `20250115_141000` (UTC), the suffix of an export's file name. */
export function fileStamp(now: Date): string {
  const iso = now.toISOString();
  return `${iso.slice(0, 10).replaceAll("-", "")}_${iso.slice(11, 19).replaceAll(":", "")}`;
}

export function attachment(filename: string): string {
  return `attachment; filename=${filename}`;
}

// Documentation of the bodies, for /openapi.json.

const ContactJson = z.object({
  phone: z.string(),
  first_name: z.string().nullable(),
  last_name: z.string().nullable(),
  email: z.string().nullable(),
  company: z.string().nullable(),
});

export const CampaignExportJson = z
  .object({
    campaign: z.object({
      id: z.number().int(),
      name: z.string(),
      description: z.string().nullable(),
      scenario: z.string(),
      status: z.string(),
      stats: z.object({
        total: z.number().int(),
        completed: z.number().int(),
        in_progress: z.number().int(),
        pending: z.number().int(),
        leads: z.number().int(),
        not_interested: z.number().int(),
        callbacks: z.number().int(),
      }),
      created_at: z.string(),
      started_at: z.string().nullable(),
      completed_at: z.string().nullable(),
    }),
    calls: z.array(
      z.object({
        uuid: z.string(),
        contact: ContactJson,
        status: z.string(),
        result: z.string().nullable(),
        duration: z.number().int().nullable(),
        sentiment: z.string().nullable(),
        confidence: z.number().nullable(),
        amd_result: z.string().nullable(),
        metadata: z.record(z.string(), z.unknown()),
        created_at: z.string(),
        answered_at: z.string().nullable(),
        ended_at: z.string().nullable(),
      }),
    ),
  })
  .openapi("CampaignExport");

export const TranscriptJson = z
  .object({
    call_uuid: z.string(),
    transcription: z.string().openapi({ example: "[2025-01-15 14:10:05] Agent: Allô, bonjour…" }),
    duration: z.number().int().nullable(),
    sentiment: z.string().nullable(),
  })
  .openapi("TranscriptExport");

/** The spellings FastAPI parses as a bool (lower case). */
const TRUE_WORDS = ["true", "1", "yes", "on"] as const;
const FALSE_WORDS = ["false", "0", "no", "off"] as const;

export const CsvExportQuery = z.object({
  include_links: z
    .enum([...TRUE_WORDS, ...FALSE_WORDS])
    .optional()
    .openapi({
      param: { name: "include_links", in: "query" },
      type: "boolean",
      default: true,
      description: "Inclure liens audio/transcriptions",
    }),
});

export function isTrueWord(value: string | undefined): boolean {
  return value === undefined || (TRUE_WORDS as readonly string[]).includes(value);
}

export const TranscriptQuery = z.object({
  format: z
    .enum(["txt", "json"])
    .default("txt")
    .openapi({ param: { name: "format", in: "query" }, description: "Format (txt ou json)" }),
});
