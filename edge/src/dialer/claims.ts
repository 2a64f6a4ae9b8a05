import { accounts, callAttempts, calls, campaigns, type PlanType } from "@switchboard/schema";
import { sql } from "drizzle-orm";
import { reservationEntries, reservationHeld, reserveForDue, settleCallCredit } from "../billing/ledger.js";
import { reservationFor } from "../billing/pricing.js";
import { ACTIVE_STATUSES, WAITING_STATUSES } from "../calls/status-groups.js";
import type { Database } from "../db/client.js";
import type { CallSnapshot } from "../live/events.js";
import { emitCampaignEvent } from "../webhooks/campaign-events.js";
import { callsToClaim, LOST_CONVERSATION_AFTER_SECONDS, LOST_DIAL_AFTER_SECONDS } from "./plan.js";

/** The hangup cause of a call the sweep ends (see settleLostDials). */
export const LOST_DIAL_CAUSE = "lost: no report from the media node";

/** One dial the dialer owns from now on: the call is `calling` and its attempt row exists. */
export type ClaimedCall = {
  id: string;
  orgId: string;
  campaignId: string;
  number: number;
  attempt: number;
  toNumber: string;
  fromNumber: string | null;
  refusals: number;
};

export type RunningClaim = {
  kind: "running";
  orgId: string;
  claimed: ClaimedCall[];
  active: number;
  dueLeft: number;
  free: number;
  inWindow: boolean;
  windowOpensAt: Date | null;
  nextRetryAt: Date | null;
  callerNumbers: string[];
  /**
   * Why due calls were not dialled although capacity allowed: the account is suspended, or its credit cannot
   * cover one more call (`suspended` counts the calls this tick held for credit). Null when nothing held.
   */
  held: { reason: "account_suspended" } | { reason: "credit"; suspended: number } | null;
};

export type ClaimResult =
  | { kind: "idle"; reason: "missing" | "not_running" }
  | { kind: "idle"; reason: "completed"; orgId: string; webhookEvents: number }
  | RunningClaim;

type CampaignForDialing = {
  org_id: string;
  status: string;
  max_concurrent_calls: number;
  batch_size: number;
  caller_numbers: string[];
  in_window: boolean;
  window_starts_at: Date | string | null;
  account_id: string;
  plan_type: PlanType;
  account_status: "active" | "suspended";
  available: string | number;
};

/** How the campaign's account limits this tick: credit per dial, and how many dials it can cover now. */
type CreditGate = { accountId: string; perCall: number; affordable: number; suspended: boolean };

type Workload = { active: number; waiting: number; due: number; next_retry_at: Date | string | null };

const active = sql.raw(ACTIVE_STATUSES.map((status) => `'${status}'`).join(", "));
const waiting = sql.raw(WAITING_STATUSES.map((status) => `'${status}'`).join(", "));
/** Waiting calls the dialer may take now; `suspended` calls wait for credit, not for the dialer. */
const isDue = sql`${calls.status} in ('pending', 'scheduled') and (${calls.nextAttemptAt} is null or ${calls.nextAttemptAt} <= now())`;

/**
 * One transaction per tick, under the campaign's row lock, so two ticks (a wake racing an alarm, two
 * instances during a deploy) are serialised: the second counts the first's claims as active, and the
 * concurrency limit holds. `SKIP LOCKED` leaves rows another writer holds (an event being applied) for
 * the next tick. A running campaign with nothing waiting and nothing in flight is completed here.
 */
export async function claimDueCalls(
  db: Database,
  campaignId: string,
  options: { dialable: boolean },
): Promise<ClaimResult> {
  return db.transaction(async (tx) => {
    // NO KEY UPDATE, like every row lock here: it serialises ticks but lets other transactions insert rows
    // that reference this campaign (a credit entry's foreign key takes KEY SHARE), where FOR UPDATE deadlocked.
    const campaign = await firstRow<CampaignForDialing>(
      tx.execute(sql`
        select ${campaigns.orgId} as org_id, ${campaigns.status} as status,
          ${campaigns.maxConcurrentCalls} as max_concurrent_calls, ${campaigns.batchSize} as batch_size,
          ${campaigns.callerNumbers} as caller_numbers, ${campaigns.windowStartsAt} as window_starts_at,
          (${campaigns.windowStartsAt} is null or ${campaigns.windowStartsAt} <= now())
            and (${campaigns.windowEndsAt} is null or ${campaigns.windowEndsAt} > now()) as in_window,
          ${accounts.id} as account_id, ${accounts.planType} as plan_type, ${accounts.status} as account_status,
          ${accounts.creditBalance} - ${accounts.creditReserved} as available
        from ${campaigns} join ${accounts} on ${accounts.id} = ${campaigns.accountId} and ${accounts.orgId} = ${campaigns.orgId}
        where ${campaigns.id} = ${campaignId}
        for no key update of ${campaigns}`),
    );
    if (!campaign) return { kind: "idle", reason: "missing" };
    if (campaign.status !== "running") return { kind: "idle", reason: "not_running" };

    await settleLostDials(tx, campaign.org_id, campaignId);
    const work = await workload(tx, campaign.org_id, campaignId);
    if (work.active === 0 && work.waiting === 0) {
      await tx.execute(sql`
        update ${campaigns} set status = 'completed', completed_at = now(), updated_at = now()
        where ${campaigns.id} = ${campaignId} and ${campaigns.orgId} = ${campaign.org_id} and ${campaigns.status} = 'running'`);
      const webhookEvents = await emitCampaignEvent(tx, campaign.org_id, campaignId, "campaign.completed");
      return { kind: "idle", reason: "completed", orgId: campaign.org_id, webhookEvents };
    }

    const inWindow = Boolean(campaign.in_window);
    const gate = creditGate(campaign);
    const capacity = callsToClaim({
      maxConcurrentCalls: campaign.max_concurrent_calls,
      batchSize: campaign.batch_size,
      active: work.active,
      due: options.dialable && inWindow ? work.due : 0,
    });
    const wanted = Math.min(capacity, gate.affordable);
    const claimed = wanted > 0 ? await claim(tx, campaign.org_id, campaignId, wanted, gate) : [];
    const held =
      capacity > 0 && wanted === 0 ? await holdFor(tx, campaign.org_id, campaignId, gate, work.active) : null;
    const windowStartsAt = toDate(campaign.window_starts_at);
    return {
      kind: "running",
      orgId: campaign.org_id,
      claimed,
      active: work.active + claimed.length,
      dueLeft: work.due - claimed.length,
      free: Math.max(0, campaign.max_concurrent_calls - work.active - claimed.length),
      inWindow,
      windowOpensAt: windowStartsAt && windowStartsAt.getTime() > Date.now() ? windowStartsAt : null,
      nextRetryAt: toDate(work.next_retry_at),
      callerNumbers: campaign.caller_numbers ?? [],
      held,
    };
  });
}

function creditGate(campaign: CampaignForDialing): CreditGate {
  const perCall = reservationFor(campaign.plan_type);
  const suspended = campaign.account_status === "suspended";
  const affordable = suspended ? 0 : perCall > 0 ? Math.floor(Number(campaign.available) / perCall) : Infinity;
  return { accountId: campaign.account_id, perCall, affordable, suspended };
}

/**
 * Capacity allowed dials but the account did not. A suspended account's calls simply wait (its activation
 * wakes the dialer). Out of credit with nothing of this campaign on the line (whose end could free credit),
 * the waiting calls become `suspended` until a top-up resumes them.
 */
async function holdFor(
  tx: Executor,
  orgId: string,
  campaignId: string,
  gate: CreditGate,
  active: number,
): Promise<RunningClaim["held"]> {
  if (gate.suspended) return { reason: "account_suspended" };
  if (active > 0) return { reason: "credit", suspended: 0 };
  const suspended = await suspendForCredit(tx, orgId, campaignId, gate);
  return suspended > 0 ? { reason: "credit", suspended } : null;
}

/**
 * Holds the campaign's waiting calls for credit, if the account still cannot cover one dial. The account row
 * is read under a share lock, so a top-up in progress is waited for and seen (then nothing is suspended), or
 * waits for this tick and then resumes what it suspended (resumeAccountCampaigns runs after the top-up).
 */
async function suspendForCredit(tx: Executor, orgId: string, campaignId: string, gate: CreditGate): Promise<number> {
  const result = await tx.execute(sql`
    with account as (
      select ${accounts.creditBalance} - ${accounts.creditReserved} as available from ${accounts}
      where ${accounts.id} = ${gate.accountId} and ${accounts.orgId} = ${orgId}
      for share
    )
    update ${calls} set status = 'suspended', updated_at = now()
    where ${calls.orgId} = ${orgId} and ${calls.campaignId} = ${campaignId} and ${calls.status} in ('pending', 'scheduled')
      and (select available from account) < ${gate.perCall}::numeric`);
  return result.rowCount ?? 0;
}

type Executor = Pick<Database, "execute">;

/**
 * Calls on the line that nobody has reported on for far longer than any call lasts: the media node that had
 * them is gone for good (its own recovery settles the calls of a node that restarts). Without this they
 * would count as active forever and the campaign would never complete. A dial the media node never
 * acknowledged (no jambonz sid) goes back to wait with the same attempt number (the media node refuses a
 * second dial of one attempt, so this cannot ring anyone twice); any other ends `failed`, said as such.
 */
async function settleLostDials(tx: Executor, orgId: string, campaignId: string): Promise<void> {
  const result = await tx.execute(sql`
    with lost as (
      select ${calls.id} as id, ${calls.attempts} as attempt, ${calls.jambonzCallSid} is null as unacknowledged
      from ${calls}
      where ${calls.orgId} = ${orgId} and ${calls.campaignId} = ${campaignId} and (
        (${calls.status} in ('calling', 'ringing')
          and ${calls.updatedAt} < now() - make_interval(secs => ${LOST_DIAL_AFTER_SECONDS}))
        or (${calls.status} = 'in_progress'
          and ${calls.updatedAt} < now() - make_interval(secs => ${LOST_CONVERSATION_AFTER_SECONDS})))
      for no key update skip locked
    ), requeued as (
      update ${calls} as c
      set status = 'scheduled', attempts = c.attempts - 1, next_attempt_at = now(), updated_at = now()
      from lost where c.id = lost.id and lost.unacknowledged and c.status = 'calling'
      returning c.id, lost.attempt
    ), dropped_attempts as (
      delete from ${callAttempts} as a using requeued
      where a.call_id = requeued.id and a.org_id = ${orgId} and a.attempt_number = requeued.attempt
    ), failed as (
      update ${calls} as c
      set status = 'failed', result = 'failed', hangup_cause = ${LOST_DIAL_CAUSE}, ended_at = now(),
        next_attempt_at = null, updated_at = now()
      from lost where c.id = lost.id and not (lost.unacknowledged and c.status = 'calling')
      returning c.id, lost.attempt
    ), failed_attempts as (
      update ${callAttempts} as a set status = 'failed', hangup_cause = ${LOST_DIAL_CAUSE}, ended_at = now()
      from failed
      where a.call_id = failed.id and a.org_id = ${orgId} and a.attempt_number = failed.attempt and a.ended_at is null
    )
    select id from lost`);
  // A lost dial's reservation goes back to the account (rare: only when something was lost).
  const lostIds = (result.rows as Array<{ id: string }>).map((row) => String(row.id));
  await settleCallCredit(tx, orgId, lostIds);
}

async function workload(tx: Executor, orgId: string, campaignId: string): Promise<Workload> {
  const row = await firstRow<Workload>(
    tx.execute(sql`
      select
        (count(*) filter (where ${calls.status} in (${active})))::int as active,
        (count(*) filter (where ${calls.status} in (${waiting})))::int as waiting,
        (count(*) filter (where ${isDue}))::int as due,
        min(${calls.nextAttemptAt}) filter (
          where ${calls.status} in ('pending', 'scheduled') and ${calls.nextAttemptAt} > now()
        ) as next_retry_at
      from ${calls}
      where ${calls.orgId} = ${orgId} and ${calls.campaignId} = ${campaignId}`),
  );
  return row ?? { active: 0, waiting: 0, due: 0, next_retry_at: null };
}

/**
 * Takes up to `limit` due calls in one statement: marks them `calling`, counts the attempt, stamps
 * started_at and inserts the attempt row numbered by the new attempt count. Fresh calls go first, then
 * retries by due time; the call number breaks ties so the order is stable.
 */
async function claim(
  tx: Executor,
  orgId: string,
  campaignId: string,
  limit: number,
  gate: CreditGate,
): Promise<ClaimedCall[]> {
  const { perCall } = gate;
  const credit = { orgId, accountId: gate.accountId };
  const result = await tx.execute(sql`
    with due as (
      select ${calls.id} as id from ${calls}
      where ${calls.orgId} = ${orgId} and ${calls.campaignId} = ${campaignId} and ${isDue}
      order by ${calls.nextAttemptAt} asc nulls first, ${calls.number} asc
      limit ${limit}
      for no key update skip locked
    ), ${reserveForDue(credit, perCall)}, claimed as (
      update ${calls} as c
      set status = 'calling', attempts = c.attempts + 1, started_at = now(), next_attempt_at = null,
        reserved_credit = ${perCall}::numeric, updated_at = now()
      from due where c.id = due.id and ${reservationHeld(perCall)}
      returning c.id, c.org_id, c.campaign_id, c.number, c.attempts, c.to_number, c.from_number,
        coalesce((c.metadata->>'dial_refusals')::int, 0) as refusals
    ), attempt_rows as (
      insert into ${callAttempts} (org_id, call_id, attempt_number, to_number, status, started_at)
      select org_id, id, attempts, to_number, 'calling', now() from claimed
    ), ${reservationEntries(perCall)}
    select * from claimed order by number`);
  return (result.rows as Array<Record<string, unknown>>).map((row) => ({
    id: String(row.id),
    orgId: String(row.org_id),
    campaignId: String(row.campaign_id),
    number: Number(row.number),
    attempt: Number(row.attempts),
    toNumber: String(row.to_number),
    fromNumber: row.from_number === null ? null : String(row.from_number),
    refusals: Number(row.refusals),
  }));
}

/**
 * The media node has these calls (all of one campaign, so one organisation): keep each jambonz sid unless an
 * event already stored it, and clear refusals. One transaction of two statements for the whole tick.
 */
export async function recordPlaced(
  db: Database,
  placed: Array<{ call: ClaimedCall; jambonzCallSid: string | null }>,
): Promise<void> {
  const orgId = placed[0]?.call.orgId;
  if (orgId === undefined) return;
  const ids = placed.map(({ call }) => call.id);
  const attempts = placed.map(({ call }) => call.attempt);
  const sids = placed.map(({ jambonzCallSid }) => jambonzCallSid);
  const placedRows = sql`select * from unnest(${sql.param(ids)}::uuid[], ${sql.param(attempts)}::int[],
    ${sql.param(sids)}::text[]) as p(id, attempt, sid)`;
  // Calls first, in id order, then their attempts: the order an event's transaction takes them in (its call,
  // then that call's attempt), so the two never wait on each other in a cycle.
  await db.transaction(async (tx) => {
    await tx.execute(sql`
      with placed as (${placedRows}), locked as (
        select c.id from ${calls} as c join placed on c.id = placed.id
        where c.org_id = ${orgId} and c.attempts = placed.attempt
        order by c.id
        for no key update of c
      )
      update ${calls} as c
      set jambonz_call_sid = coalesce(placed.sid, c.jambonz_call_sid), metadata = c.metadata - 'dial_refusals',
        updated_at = now()
      from placed, locked where c.id = placed.id and c.id = locked.id`);
    await tx.execute(sql`
      with placed as (${placedRows})
      update ${callAttempts} as a set jambonz_call_sid = coalesce(a.jambonz_call_sid, placed.sid)
      from placed
      where a.call_id = placed.id and a.org_id = ${orgId} and a.attempt_number = placed.attempt
        and placed.sid is not null`);
  });
}

/**
 * The dial never reached the line: the call waits `delaySeconds` and keeps its attempt count, and the
 * attempt row goes, so the next dial reuses the same attempt number. Only while nothing has been heard of
 * the dial (still `calling`, no jambonz sid): an event that arrived meanwhile wins. A stop that came while
 * the media node was asked left this call alone (it was on the line); it is cancelled now instead. The
 * campaign row is read under a share lock so a concurrent stop is either seen or sees the waiting call.
 */
export async function rescheduleRefused(
  db: Database,
  call: ClaimedCall,
  delaySeconds: number,
): Promise<CallSnapshot | null> {
  return db.transaction(async (tx) => {
    const campaign = await firstRow<{ status: string }>(
      tx.execute(sql`
        select ${campaigns.status} as status from ${campaigns}
        where ${campaigns.id} = ${call.campaignId} and ${campaigns.orgId} = ${call.orgId}
        for share`),
    );
    const stopped = campaign?.status === "cancelled";
    const result = await tx.execute(sql`
      update ${calls}
      set status = ${stopped ? "cancelled" : "scheduled"}, attempts = attempts - 1,
        next_attempt_at = ${stopped ? null : sql`now() + make_interval(secs => ${delaySeconds}::double precision)`},
        metadata = jsonb_set(metadata, '{dial_refusals}', to_jsonb(${call.refusals + 1}::int)), updated_at = now()
      where ${calls.id} = ${call.id} and ${calls.orgId} = ${call.orgId} and ${calls.status} = 'calling'
        and ${calls.attempts} = ${call.attempt}
        and not exists (
          select 1 from ${callAttempts}
          where ${callAttempts.callId} = ${call.id} and ${callAttempts.attemptNumber} = ${call.attempt}
            and ${callAttempts.jambonzCallSid} is not null
        )
      ${RETURNING_SNAPSHOT}`);
    const snapshot = snapshotOf(result.rows[0]);
    if (!snapshot) return null;
    await settleCallCredit(tx, call.orgId, [call.id]);
    await tx.execute(sql`
      delete from ${callAttempts}
      where ${callAttempts.callId} = ${call.id} and ${callAttempts.orgId} = ${call.orgId}
        and ${callAttempts.attemptNumber} = ${call.attempt}`);
    return snapshot;
  });
}

/** The media node will not take this call: it ends `failed`, and the attempt with it. */
export async function failUndialable(db: Database, call: ClaimedCall, reason: string): Promise<CallSnapshot | null> {
  return db.transaction(async (tx) => {
    const result = await tx.execute(sql`
      update ${calls}
      set status = 'failed', result = 'failed', hangup_cause = ${reason}, ended_at = now(), next_attempt_at = null,
        metadata = jsonb_set(metadata, '{dial_refusals}', to_jsonb(${call.refusals + 1}::int)), updated_at = now()
      where ${calls.id} = ${call.id} and ${calls.orgId} = ${call.orgId} and ${calls.status} = 'calling'
        and ${calls.attempts} = ${call.attempt}
      ${RETURNING_SNAPSHOT}`);
    const snapshot = snapshotOf(result.rows[0]);
    if (!snapshot) return null;
    await settleCallCredit(tx, call.orgId, [call.id]);
    await tx.execute(sql`
      update ${callAttempts} set status = 'failed', hangup_cause = ${reason}, ended_at = now()
      where ${callAttempts.callId} = ${call.id} and ${callAttempts.orgId} = ${call.orgId}
        and ${callAttempts.attemptNumber} = ${call.attempt}`);
    return snapshot;
  });
}

/** The call's line state as an update left it, for live subscribers (published once the change commits). */
const RETURNING_SNAPSHOT = sql.raw(
  "returning id, campaign_id, status, result, amd_result, duration_ms, attempts, hangup_cause",
);

function snapshotOf(row: unknown): CallSnapshot | null {
  if (!row) return null;
  const r = row as Record<string, unknown>;
  return {
    id: String(r.id),
    campaignId: r.campaign_id === null ? null : String(r.campaign_id),
    status: r.status as CallSnapshot["status"],
    result: (r.result ?? null) as CallSnapshot["result"],
    amdResult: (r.amd_result ?? null) as CallSnapshot["amdResult"],
    durationMs: r.duration_ms === null || r.duration_ms === undefined ? null : Number(r.duration_ms),
    attempts: Number(r.attempts),
    hangupCause: (r.hangup_cause ?? null) as string | null,
  };
}

async function firstRow<T>(query: Promise<{ rows: unknown[] }>): Promise<T | undefined> {
  const { rows } = await query;
  return rows[0] as T | undefined;
}

function toDate(value: Date | string | null | undefined): Date | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}
