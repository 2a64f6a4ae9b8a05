import { agents, calls, campaigns, contacts } from "@switchboard/schema";
import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import { type AccountRef, accountForCampaign } from "../billing/service.js";
import { WAITING_STATUSES } from "../calls/status-groups.js";
import { toInternational } from "../contacts/phone.js";
import type { Database, Transaction } from "../db/client.js";
import { type ActivityKind, activity } from "../live/events.js";
import { NotFoundError } from "../shared/errors.js";
import { isUuid, uuidEquals } from "../shared/ids.js";
import { parseInput } from "../shared/validate.js";
import { emitCampaignEvent } from "../webhooks/campaign-events.js";
import type { CampaignEffects } from "./effects.js";
import { InvalidTransitionError, RejectedInputError } from "./errors.js";
import { actionWakesDialer, editableFields, type LifecycleAction, transition } from "./lifecycle.js";
import {
  type CampaignRef,
  type CampaignRow,
  type CampaignView,
  describeRef,
  findCampaign,
  matchesRef,
} from "./service.js";
import {
  type AgentRef,
  attemptsAllowed,
  CAMPAIGN_LIMITS,
  type ContactRefs,
  createCampaignInput,
  type UpdateCampaignInput,
  updateCampaignInput,
} from "./settings.js";

type Source = (typeof campaigns.$inferInsert)["source"];

/**
 * Creates a campaign and one pending call per contact, atomically. Every contact and the agent must belong
 * to the organisation; the campaign is charged to the account named, else to the organisation's default account.
 */
export async function createCampaign(
  db: Database,
  orgId: string,
  input: unknown,
  source: Source,
): Promise<CampaignView> {
  const fields = parseInput(createCampaignInput, input, "Invalid campaign");
  const contactRefs = normalisedRefs(fields.contacts);
  const wanted = distinctContactCount(contactRefs);
  if (wanted > CAMPAIGN_LIMITS.contacts.max) {
    throw new RejectedInputError(
      "contact_ids",
      `Too many contacts: ${wanted} (a campaign takes at most ${CAMPAIGN_LIMITS.contacts.max})`,
    );
  }
  const id = await db.transaction(async (tx) => {
    const agent = await resolveVoiceAgent(tx, orgId, fields.agent);
    const accountId = await chargedAccount(tx, orgId, fields.account);
    const [campaign] = await tx
      .insert(campaigns)
      .values({
        orgId,
        accountId,
        agentId: agent.id,
        source,
        name: fields.name,
        description: fields.description ?? null,
        maxConcurrentCalls: fields.maxConcurrentCalls,
        batchSize: fields.batchSize,
        retryEnabled: fields.retryEnabled,
        maxRetries: fields.maxRetries,
        windowStartsAt: fields.windowStartsAt ?? null,
        windowEndsAt: fields.windowEndsAt ?? null,
        settings: fields.settings ?? {},
      })
      .returning({ id: campaigns.id });
    if (!campaign) throw new Error("campaign insert returned nothing");
    if ("phones" in contactRefs) await addMissingContacts(tx, orgId, contactRefs.phones);
    const created = await insertPendingCalls(tx, {
      orgId,
      campaignId: campaign.id,
      agentId: agent.id,
      accountId,
      maxAttempts: attemptsAllowed(fields),
      contactsMatch: contactFilter(orgId, contactRefs),
    });
    if (created !== wanted) {
      throw new RejectedInputError("contact_ids", `Some contact IDs are invalid. Found ${created} of ${wanted}`);
    }
    return campaign.id;
  });
  return findCampaign(db, orgId, { id });
}

/** Phone numbers in E.164; one that is not an international number refuses the campaign. */
function normalisedRefs(refs: ContactRefs): ContactRefs {
  if (!("phones" in refs)) return refs;
  return {
    phones: refs.phones.map((raw) => {
      const phone = toInternational(raw);
      if (!phone) throw new RejectedInputError("phone_numbers", `'${raw}' is not an international phone number`);
      return phone;
    }),
  };
}

function distinctContactCount(refs: ContactRefs): number {
  if ("numbers" in refs) return new Set(refs.numbers).size;
  return new Set("ids" in refs ? refs.ids : refs.phones).size;
}

function contactFilter(orgId: string, refs: ContactRefs): SQL {
  if ("numbers" in refs) return inArray(contacts.number, refs.numbers);
  if ("ids" in refs) return inArray(contacts.id, refs.ids.filter(isUuid));
  // One call per number: the oldest contact holding it, should several.
  return sql`${contacts.id} in (
    select distinct on (phone) id from ${contacts}
    where ${contacts.orgId} = ${orgId} and ${inArray(contacts.phone, refs.phones)} order by phone, number)`;
}

/** The organisation's contacts for numbers it has never called (by number; no name is known). */
async function addMissingContacts(tx: Transaction, orgId: string, phones: string[]): Promise<void> {
  const wanted = sql.join(
    [...new Set(phones)].map((phone) => sql`(${phone})`),
    sql`, `,
  );
  await tx.execute(sql`
    insert into ${contacts} (org_id, phone)
    select ${orgId}, wanted.phone from (values ${wanted}) as wanted(phone)
    where not exists (select 1 from ${contacts} c where c.org_id = ${orgId} and c.phone = wanted.phone)`);
}

/** One pending call per matching contact of the organisation, in contact order; returns how many. */
async function insertPendingCalls(
  tx: Transaction,
  call: {
    orgId: string;
    campaignId: string;
    agentId: string;
    accountId: string;
    maxAttempts: number;
    contactsMatch: SQL;
  },
): Promise<number> {
  const result = await tx.execute(sql`
    insert into ${calls} (org_id, campaign_id, contact_id, agent_id, account_id, to_number, max_attempts)
    select ${contacts.orgId}, ${call.campaignId}, ${contacts.id}, ${call.agentId}, ${call.accountId}, ${contacts.phone}, ${call.maxAttempts}
    from ${contacts}
    where ${contacts.orgId} = ${call.orgId} and ${call.contactsMatch}
    order by ${contacts.number}`);
  return result.rowCount ?? 0;
}

async function resolveVoiceAgent(tx: Transaction, orgId: string, ref: AgentRef): Promise<{ id: string }> {
  const match = "slug" in ref ? eq(agents.slug, ref.slug) : uuidEquals(agents.id, ref.id);
  const [agent] = await tx
    .select({ id: agents.id, kind: agents.kind })
    .from(agents)
    .where(and(eq(agents.orgId, orgId), match));
  const name = "slug" in ref ? ref.slug : ref.id;
  if (!agent) throw new RejectedInputError("scenario", `Scenario '${name}' not found`);
  if (agent.kind !== "voice") {
    throw new RejectedInputError("scenario", `Scenario '${name}' is a chat agent and cannot place calls`);
  }
  return agent;
}

/** A named account the organisation lacks is refused like an unknown agent; the default must exist. */
async function chargedAccount(tx: Transaction, orgId: string, ref: AccountRef | undefined): Promise<string> {
  try {
    return (await accountForCampaign(tx, orgId, ref)).id;
  } catch (error) {
    if (ref && error instanceof NotFoundError) {
      throw new RejectedInputError("account", `Billing account '${"id" in ref ? ref.id : ref.code}' not found`);
    }
    throw error;
  }
}

/** Applies an update within what the campaign's state allows; waiting calls follow the new settings. */
export async function updateCampaign(
  db: Database,
  orgId: string,
  ref: CampaignRef,
  input: unknown,
): Promise<CampaignView> {
  const patch = parseInput(updateCampaignInput, input, "Invalid campaign update");
  await db.transaction(async (tx) => {
    const current = await lockCampaign(tx, orgId, ref);
    assertEditable(current, patch);
    const agentId = patch.agent ? (await resolveVoiceAgent(tx, orgId, patch.agent)).id : undefined;
    const { agent: _agent, ...settings } = patch;
    if (Object.keys(patch).length === 0) return;
    await tx
      .update(campaigns)
      .set({ ...settings, ...(agentId ? { agentId } : {}), updatedAt: new Date() })
      .where(eq(campaigns.id, current.id));
    await updateWaitingCalls(tx, current, { ...settings, agentId });
  });
  return findCampaign(db, orgId, ref);
}

function assertEditable(current: CampaignRow, patch: UpdateCampaignInput): void {
  const editable = editableFields(current.status);
  const changed = Object.keys(patch);
  if (editable === "none" && changed.length > 0) {
    throw new InvalidTransitionError("update", current.status, `Cannot modify a ${current.status} campaign`);
  }
  if (editable === "concurrency" && changed.some((field) => field !== "maxConcurrentCalls")) {
    throw new InvalidTransitionError(
      "update",
      current.status,
      "Only max_concurrent_calls can be modified while the campaign is running",
    );
  }
}

async function updateWaitingCalls(
  tx: Transaction,
  current: CampaignRow,
  change: { retryEnabled?: boolean | undefined; maxRetries?: number | undefined; agentId?: string | undefined },
): Promise<void> {
  const retriesChanged = change.retryEnabled !== undefined || change.maxRetries !== undefined;
  if (!retriesChanged && !change.agentId) return;
  const maxAttempts = attemptsAllowed({
    retryEnabled: change.retryEnabled ?? current.retryEnabled,
    maxRetries: change.maxRetries ?? current.maxRetries,
  });
  await tx
    .update(calls)
    .set({ maxAttempts, ...(change.agentId ? { agentId: change.agentId } : {}), updatedAt: new Date() })
    .where(and(eq(calls.campaignId, current.id), inArray(calls.status, [...WAITING_STATUSES])));
}

/** What each action puts in the organisation's activity feed. */
const ACTIVITY_OF: Record<LifecycleAction, ActivityKind | null> = {
  start: "campaign_started",
  pause: "campaign_paused",
  resume: "campaign_resumed",
  stop: "campaign_cancelled",
  delete: null,
};

/**
 * Makes a campaign active or paused, whatever it is now: active starts a new campaign and resumes a paused one;
 * a campaign already in the wanted state is left alone (SpeechAI's `is_active`).
 */
export async function setCampaignActive(
  db: Database,
  orgId: string,
  campaign: Pick<CampaignView, "id" | "status">,
  active: boolean,
  effects: CampaignEffects,
): Promise<void> {
  if (campaign.status === (active ? "running" : "paused")) return;
  const action: LifecycleAction = !active ? "pause" : campaign.status === "paused" ? "resume" : "start";
  await applyCampaignAction(db, orgId, { id: campaign.id }, action, effects);
}

/**
 * Runs one state-machine action in a transaction, then, once it has committed, tells live subscribers and
 * wakes the campaign's dialer when the action gives it work. Returns the campaign afterwards, or null once
 * deleted.
 */
export async function applyCampaignAction(
  db: Database,
  orgId: string,
  ref: CampaignRef,
  action: LifecycleAction,
  effects: CampaignEffects,
  /** Why a stop cancels the campaign (SpeechAI's `reason`); "stopped" when none is given. */
  options: { cancelReason?: string | undefined } = {},
): Promise<CampaignView | null> {
  const { deleted, webhookEvents } = await db.transaction(async (tx) => {
    const current = await lockCampaign(tx, orgId, ref);
    const target = transition(action, current.status);
    if (target === "deleted") {
      await tx.delete(campaigns).where(eq(campaigns.id, current.id));
      return { deleted: true, webhookEvents: 0 };
    }
    const change = statusChange(target, current);
    if (target === "cancelled" && options.cancelReason) change.cancelReason = options.cancelReason;
    await tx.update(campaigns).set(change).where(eq(campaigns.id, current.id));
    if (target === "cancelled") await cancelWaitingCalls(tx, current.id);
    const started = action === "start" ? await emitCampaignEvent(tx, orgId, current.id, "campaign.started") : 0;
    return { deleted: false, webhookEvents: started };
  });
  if (webhookEvents > 0) effects.deliverWebhooks(orgId);
  if (deleted) return null;
  const campaign = await findCampaign(db, orgId, ref);
  const kind = ACTIVITY_OF[action];
  if (kind) {
    effects.publish(orgId, [
      activity(kind, { campaignId: campaign.id }),
      { type: "progress", campaignId: campaign.id },
    ]);
  }
  if (actionWakesDialer(action)) effects.wakeDialer(campaign.id);
  return campaign;
}

function statusChange(target: CampaignRow["status"], current: CampaignRow): Partial<CampaignRow> {
  const now = new Date();
  switch (target) {
    case "running":
      return { status: target, startedAt: current.startedAt ?? now, pausedAt: null, updatedAt: now };
    case "paused":
      return { status: target, pausedAt: now, updatedAt: now };
    case "cancelled":
      return { status: target, completedAt: now, cancelReason: "stopped", updatedAt: now };
    default:
      return { status: target, updatedAt: now };
  }
}

/** Calls not yet on the line are cancelled; calls in flight finish normally. */
export async function cancelWaitingCalls(tx: Transaction, campaignId: string): Promise<void> {
  await tx
    .update(calls)
    .set({ status: "cancelled", nextAttemptAt: null, updatedAt: new Date() })
    .where(and(eq(calls.campaignId, campaignId), inArray(calls.status, [...WAITING_STATUSES])));
}

export async function lockCampaign(tx: Transaction, orgId: string, ref: CampaignRef): Promise<CampaignRow> {
  if ("id" in ref && !isUuid(ref.id)) throw new NotFoundError(describeRef(ref));
  const [row] = await tx
    .select()
    .from(campaigns)
    .where(and(eq(campaigns.orgId, orgId), matchesRef(ref)))
    .for("no key update");
  if (!row) throw new NotFoundError(describeRef(ref));
  return row;
}
