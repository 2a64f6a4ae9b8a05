import { agents, calls, campaigns, contacts } from "@switchboard/schema";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { type AccountRow, accountForCampaign } from "../billing/service.js";
import type { Database, Transaction } from "../db/client.js";
import { NotFoundError } from "../shared/errors.js";
import { isUuid, uuidEquals } from "../shared/ids.js";
import type { Debtor } from "./plan.js";

/** Database work of the importer. Every statement is scoped by the caller's organisation. */

export type Queryable = Database | Transaction;

/** The account named by its code (`acc-…`, `retail_express`) or uuid, or the organisation's default one. */
export function batchAccount(db: Queryable, orgId: string, ref: string | undefined): Promise<AccountRow> {
  return accountForCampaign(db, orgId, ref === undefined ? undefined : isUuid(ref) ? { id: ref } : { code: ref });
}

/** The voice agent that places the calls: the one named, else the use case's by slug, else the oldest voice agent. */
export async function findBatchAgent(
  db: Queryable,
  orgId: string,
  wanted: { slug: string } | { id: string } | undefined,
  useCaseSlug: string,
): Promise<{ id: string }> {
  const voice = and(eq(agents.orgId, orgId), eq(agents.kind, "voice"));
  if (wanted) {
    const match = "slug" in wanted ? eq(agents.slug, wanted.slug) : uuidEquals(agents.id, wanted.id);
    const [agent] = await db.select({ id: agents.id }).from(agents).where(and(voice, match));
    if (!agent) throw new NotFoundError(`Voice agent ${"slug" in wanted ? wanted.slug : wanted.id}`);
    return agent;
  }
  const [agent] = await db
    .select({ id: agents.id })
    .from(agents)
    .where(voice)
    .orderBy(sql`${agents.slug} = ${useCaseSlug} desc`, asc(agents.createdAt), asc(agents.id))
    .limit(1);
  if (!agent) throw new NotFoundError("Voice agent for the batch");
  return agent;
}

/** Campaign statuses in which a batch still has calls to make ("active batch" in LEGACY-NOTES). */
const ACTIVE_BATCH = ["pending", "running", "paused"] as const;

/**
 * Which debtors already have a call in an active batch of the same account: by RUT (the contact's reference)
 * or, for debtors without one, by the number dialled. Other accounts' batches do not count.
 */
export async function debtorsInActiveBatches(
  db: Queryable,
  orgId: string,
  accountId: string,
  debtors: readonly Debtor[],
): Promise<Set<string>> {
  const ruts = debtors.flatMap((debtor) => (debtor.rut ? [debtor.rut] : []));
  const phones = debtors.flatMap((debtor) => (debtor.rut ? [] : [debtor.phones[0] as string]));
  if (ruts.length === 0 && phones.length === 0) return new Set();
  const rows = await db
    .selectDistinct({ rut: contacts.externalRef, phone: calls.toNumber })
    .from(calls)
    .innerJoin(campaigns, and(eq(campaigns.id, calls.campaignId), eq(campaigns.orgId, orgId)))
    .leftJoin(contacts, and(eq(contacts.id, calls.contactId), eq(contacts.orgId, orgId)))
    .where(
      and(
        eq(calls.orgId, orgId),
        eq(campaigns.accountId, accountId),
        inArray(campaigns.status, [...ACTIVE_BATCH]),
        sql`(${contacts.externalRef} = any(${sql.param(ruts)}::text[]) or ${calls.toNumber} = any(${sql.param(phones)}::text[]))`,
      ),
    );
  const foundRuts = new Set(rows.map((row) => row.rut));
  const foundPhones = new Set(rows.map((row) => row.phone));
  return new Set(
    debtors
      .filter((debtor) => (debtor.rut ? foundRuts.has(debtor.rut) : foundPhones.has(debtor.phones[0] as string)))
      .map((debtor) => debtor.key),
  );
}

export type NewBatch = {
  orgId: string;
  accountId: string;
  agentId: string;
  batchCode: string;
  name: string;
  description: string | null;
  useCase: string;
  country: string;
  estimatedCost: number;
  perJobEstimate: number;
  settings: Record<string, unknown>;
};

/**
 * Writes the campaign, its contacts and one pending call per debtor with three statements, whatever the size:
 * the rows travel as one JSON parameter each. Contacts are matched to the organisation's existing ones by RUT
 * (updated with the file's phones and name) so a debtor imported twice stays one contact.
 */
export async function insertBatch(tx: Transaction, batch: NewBatch, debtors: readonly Debtor[]) {
  const [campaign] = await tx
    .insert(campaigns)
    .values({
      orgId: batch.orgId,
      accountId: batch.accountId,
      agentId: batch.agentId,
      source: "speechai",
      batchCode: batch.batchCode,
      name: batch.name,
      description: batch.description,
      useCase: batch.useCase,
      estimatedCost: batch.estimatedCost,
      settings: batch.settings,
    })
    .returning();
  if (!campaign) throw new Error("campaign insert returned nothing");
  const contactIds = await upsertContacts(tx, batch, debtors);
  const jobs = debtors.map((debtor, index) => ({
    contact_id: contactIds[index],
    to_number: debtor.phones[0],
    payload: jobPayload(debtor),
  }));
  await tx.execute(sql`
    insert into ${calls} (org_id, campaign_id, contact_id, agent_id, account_id, to_number, job_code, estimated_cost, payload)
    select ${batch.orgId}, ${campaign.id}, job.contact_id, ${batch.agentId}, ${batch.accountId}, job.to_number,
           'job-' || left(replace(gen_random_uuid()::text, '-', ''), 16), ${batch.perJobEstimate}, job.payload
    from jsonb_to_recordset(${JSON.stringify(jobs)}::jsonb) as job(contact_id uuid, to_number text, payload jsonb)`);
  return campaign;
}

/** The business data the agent needs on the call (SpeechAI's job payload). */
function jobPayload(debtor: Debtor): Record<string, unknown> {
  return {
    debt_amount: debtor.amount,
    due_date: debtor.dueDate,
    company_name: debtor.company,
    coupons: debtor.coupons,
    days_late: debtor.daysLate,
    fecha_limite: debtor.deadline,
  };
}

/** One contact id per debtor, in the debtors' order: an existing contact with the RUT, or a new one. */
async function upsertContacts(tx: Transaction, batch: NewBatch, debtors: readonly Debtor[]): Promise<string[]> {
  const ruts = [...new Set(debtors.flatMap((debtor) => (debtor.rut ? [debtor.rut] : [])))];
  const existing = new Map<string, string>();
  if (ruts.length > 0) {
    const found = await tx
      .selectDistinctOn([contacts.externalRef], { id: contacts.id, ref: contacts.externalRef })
      .from(contacts)
      .where(and(eq(contacts.orgId, batch.orgId), inArray(contacts.externalRef, ruts)))
      .orderBy(contacts.externalRef, asc(contacts.number));
    for (const row of found) if (row.ref) existing.set(row.ref, row.id);
  }
  const rows = debtors.map((debtor) => ({
    id: (debtor.rut && existing.get(debtor.rut)) || crypto.randomUUID(),
    phone: debtor.phones[0],
    alternate_phones: debtor.phones.slice(1),
    // One "Nombre" column holds the whole name; splitting it into first and last would guess wrong.
    first_name: debtor.name,
    company: debtor.company,
    external_ref: debtor.rut,
  }));
  await tx.execute(sql`
    insert into ${contacts} (id, org_id, phone, alternate_phones, first_name, company, external_ref, country)
    select row.id, ${batch.orgId}, row.phone, row.alternate_phones, row.first_name, row.company, row.external_ref, ${batch.country}
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      as row(id uuid, phone text, alternate_phones text[], first_name text, company text, external_ref text)
    on conflict (id) do update set
      phone = excluded.phone, alternate_phones = excluded.alternate_phones,
      first_name = coalesce(excluded.first_name, ${contacts.firstName}),
      company = coalesce(excluded.company, ${contacts.company}), updated_at = now()
    where ${contacts.orgId} = excluded.org_id`);
  return rows.map((row) => row.id);
}
