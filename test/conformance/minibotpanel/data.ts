import type pg from "pg";
import { expect, inject } from "vitest";
import { rest } from "../../support/http.js";

/**
 * Data the examples need: campaigns made through the API with the document's bodies, and call
 * outcomes written straight into the database (nothing dials in the test stack).
 */

export const apiKey = (): Record<string, string> => ({ "x-api-key": inject("apiPassword") });

/** The "Créer une campagne" body of the document. */
export const DOC_CREATE_BODY = {
  name: "Prospection Q1 2025",
  description: "Campagne de prospection commerciale Q1",
  contact_ids: [1, 2, 3, 4, 5],
  scenario: "scenario_finance_crypto",
  max_concurrent_calls: 5,
  batch_size: 10,
  retry_enabled: true,
  max_retries: 2,
};

/** POST /api/campaigns/ as the demo organisation; returns the campaign's number (the documented `id`). */
export async function createCampaign(body: Record<string, unknown> = DOC_CREATE_BODY): Promise<number> {
  const response = await rest("POST", "/api/campaigns/", { headers: apiKey(), body });
  expect(response.status, response.text).toBe(201);
  return (response.body as { id: number }).id;
}

export async function campaignAction(campaignNumber: number, action: "start" | "pause" | "stop"): Promise<void> {
  const response = await rest("POST", `/api/campaigns/${campaignNumber}/${action}`, { headers: apiKey() });
  expect(response.status, response.text).toBe(200);
}

export type CallRow = { id: string; orgId: string; contactNumber: number };

/** The campaign's calls, in contact-number order. */
export async function callsOf(db: pg.Client, campaignNumber: number): Promise<CallRow[]> {
  const { rows } = await db.query<{ id: string; org_id: string; contact_number: string }>(
    `select c.id, c.org_id, ct.number as contact_number
       from calls c join campaigns k on k.id = c.campaign_id join contacts ct on ct.id = c.contact_id
      where k.number = $1 order by ct.number`,
    [campaignNumber],
  );
  return rows.map((row) => ({ id: row.id, orgId: row.org_id, contactNumber: Number(row.contact_number) }));
}

export type CallOutcome = {
  status: string;
  result?: string;
  durationSeconds?: number;
  sentiment?: string;
  confidence?: number;
  amd?: string;
  metadata?: Record<string, unknown>;
  /** When the call was dialled, answered and ended; minutes before now. */
  startedMinutesAgo?: number;
};

/** Writes what the media node would have reported for a call. */
export async function setOutcome(db: pg.Client, callId: string, outcome: CallOutcome): Promise<void> {
  const started = outcome.startedMinutesAgo;
  const duration = outcome.durationSeconds;
  await db.query(
    `update calls set status = $2, result = $3, duration_ms = $4, sentiment = $5, confidence = $6, amd_result = $7,
            metadata = coalesce($8::jsonb, metadata), attempts = 1,
            started_at = now() - make_interval(mins => $9::int),
            answered_at = case when $4::int is null then null else now() - make_interval(mins => $9::int) + interval '3 seconds' end,
            ended_at = case when $4::int is null then null
                            else now() - make_interval(mins => $9::int) + make_interval(secs => $4::int / 1000.0 + 3) end
      where id = $1`,
    [
      callId,
      outcome.status,
      outcome.result ?? null,
      duration === undefined ? null : Math.round(duration * 1000),
      outcome.sentiment ?? null,
      outcome.confidence ?? null,
      outcome.amd ?? null,
      outcome.metadata ? JSON.stringify(outcome.metadata) : null,
      started ?? 0,
    ],
  );
}

/** Moves the campaign's start back, so elapsed time and calls_per_hour are about `hours`. */
export async function backdateStart(db: pg.Client, campaignNumber: number, hours: number): Promise<void> {
  await db.query("update campaigns set started_at = now() - make_interval(hours => $2::int) where number = $1", [
    campaignNumber,
    hours,
  ]);
}

export async function setCampaignStatus(db: pg.Client, campaignNumber: number, status: string): Promise<void> {
  await db.query(
    `update campaigns set status = $2::campaign_status, started_at = coalesce(started_at, now()),
            completed_at = case when $2::campaign_status in ('completed', 'cancelled') then now() else completed_at end
      where number = $1`,
    [campaignNumber, status],
  );
}

/** Transcript turns, one per line of the documented txt example. */
export async function addTurns(db: pg.Client, call: CallRow, turns: Array<[speaker: string, text: string]>) {
  for (const [index, [speaker, text]] of turns.entries()) {
    await db.query(
      `insert into call_turns (org_id, call_id, sequence, speaker, text, spoken_at)
       values ($1, $2, $3, $4, $5, now() - interval '20 minutes' + make_interval(secs => $3::int * 7))`,
      [call.orgId, call.id, index + 1, speaker, text],
    );
  }
}
