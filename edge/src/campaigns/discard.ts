import { calls, campaigns } from "@switchboard/schema";
import { and, count, eq, inArray, isNotNull } from "drizzle-orm";
import { ACTIVE_STATUSES } from "../calls/status-groups.js";
import type { Database, Transaction } from "../db/client.js";
import { ConflictError } from "../shared/errors.js";
import { cancelWaitingCalls, lockCampaign } from "./commands.js";
import type { CampaignEffects } from "./effects.js";
import type { CampaignRef, CampaignRow } from "./service.js";

/** A campaign cannot be discarded while its calls are on the line: their reservations and reports need it. */
export class CampaignHasLiveCallsError extends ConflictError {
  constructor(readonly liveCalls: number) {
    super(`The campaign has ${liveCalls} call(s) on the line: cancel it first, then delete it once they have ended`);
  }
}

/**
 * Removes a campaign in any state but one with calls on the line (SpeechAI's delete). `deleteCalls` removes its
 * calls too, with their transcripts and recordings; otherwise the calls not yet dialled are cancelled and the
 * campaign is hidden from every list while its calls (SpeechAI's jobs) stay in the history. The credit ledger keeps
 * every entry either way.
 */
export async function discardCampaign(
  db: Database,
  orgId: string,
  ref: CampaignRef,
  options: { deleteCalls: boolean },
  effects: Pick<CampaignEffects, "discardRecordings">,
): Promise<void> {
  const recordingKeys = await db.transaction(async (tx) => {
    const campaign = await lockCampaign(tx, orgId, ref);
    const [live] = await tx
      .select({ calls: count() })
      .from(calls)
      .where(and(eq(calls.campaignId, campaign.id), inArray(calls.status, [...ACTIVE_STATUSES])));
    if (live && live.calls > 0) throw new CampaignHasLiveCallsError(live.calls);
    if (!options.deleteCalls) {
      await markDeleted(tx, campaign);
      return [];
    }
    const recordingKeys = await recordingKeysOf(tx, campaign.id);
    // Its calls go with it: the foreign key cascades to them, their turns and attempts.
    await tx.delete(campaigns).where(eq(campaigns.id, campaign.id));
    return recordingKeys;
  });
  if (recordingKeys.length > 0) effects.discardRecordings(recordingKeys);
}

async function recordingKeysOf(tx: Transaction, campaignId: string): Promise<string[]> {
  const rows = await tx
    .select({ key: calls.recordingKey })
    .from(calls)
    .where(and(eq(calls.campaignId, campaignId), isNotNull(calls.recordingKey)));
  return rows.flatMap((row) => (row.key ? [row.key] : []));
}

/** Cancels what has not ended (the dialer then leaves it alone) and hides the campaign; its calls stay. */
async function markDeleted(tx: Transaction, campaign: CampaignRow): Promise<void> {
  const now = new Date();
  const ended = campaign.status === "completed" || campaign.status === "cancelled";
  await tx
    .update(campaigns)
    .set({
      deletedAt: now,
      updatedAt: now,
      ...(ended ? {} : { status: "cancelled" as const, cancelReason: "deleted", completedAt: now }),
    })
    .where(eq(campaigns.id, campaign.id));
  await cancelWaitingCalls(tx, campaign.id);
}
