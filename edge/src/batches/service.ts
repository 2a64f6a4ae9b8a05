import type { CountryCode } from "libphonenumber-js";
import { z } from "zod";
import { estimateCost } from "../billing/pricing.js";
import { type AccountRow, assertCanAfford, lockAccount } from "../billing/service.js";
import type { Database } from "../db/client.js";
import { ValidationError } from "../shared/errors.js";
import { parseInput } from "../shared/validate.js";
import { BatchFileError } from "./errors.js";
import { type BatchPlan, excludeDuplicates, planBatch, type RowOutcome } from "./plan.js";
import { batchAccount, debtorsInActiveBatches, findBatchAgent, insertBatch, type Queryable } from "./store.js";
import { batchCountry, offer, useCaseById, useCaseId } from "./use-cases.js";
import { readSheet } from "./workbook.js";

/** What every surface hands the importer: the file and SpeechAI's form fields, already named in the domain's words. */
const importOptions = z.object({
  fileName: z.string().trim().min(1).max(255),
  /** Account code or uuid; the organisation's default account when absent. */
  account: z.string().trim().min(1).max(100).optional(),
  useCase: useCaseId.default("debt_collection"),
  /** Set by the `/batches/{country}/…` routes; otherwise the account's country. */
  country: batchCountry.optional(),
  allowDuplicates: z.boolean().default(false),
  /** dias_fecha_limite. */
  deadlineDays: z.number().int().min(0).max(3650).optional(),
  name: z.string().trim().min(1).max(200).optional(),
  description: z.string().max(500).optional(),
  processingType: z.enum(["basic", "acquisition"]).default("basic"),
  offer: offer.optional(),
  agent: z.union([z.object({ slug: z.string().min(1) }), z.object({ id: z.string().min(1) })]).optional(),
});

export type BatchImportOptions = z.input<typeof importOptions>;
export type BatchImportInput = BatchImportOptions & { bytes: Uint8Array };

export type BatchPreview = {
  fileName: string;
  totalRows: number;
  validRows: number;
  invalidRows: number;
  duplicates: number;
  /** One job per debtor: rows sharing a RUT are grouped. */
  totalDebtors: number;
  estimatedCost: number;
  /** Only rows that are not valid, each with its reasons. */
  issues: RowOutcome[];
};

export type CreatedBatch = {
  campaignId: string;
  number: number;
  batchCode: string;
  objectId: string;
  name: string;
  totalDebtors: number;
  totalJobs: number;
  estimatedCost: number;
  duplicatesFound: number;
  createdAt: Date;
};

type Prepared = { options: z.output<typeof importOptions>; account: AccountRow; plan: BatchPlan; country: string };

/** Reads and checks a file without writing anything: SpeechAI's excel/preview. */
export async function previewBatch(db: Database, orgId: string, input: BatchImportInput): Promise<BatchPreview> {
  const prepared = await prepare(db, orgId, input, new Date());
  const plan = await withoutAccountDuplicates(db, orgId, prepared);
  return summarise(prepared, plan);
}

/**
 * Creates the batch: a campaign (with SpeechAI's batch code), its contacts and one pending call per debtor, in one
 * transaction after the credit check. A file that cannot be read, or leaves nothing to call, writes nothing.
 */
export async function createBatch(
  db: Database,
  orgId: string,
  input: BatchImportInput,
  now = new Date(),
): Promise<CreatedBatch> {
  const prepared = await prepare(db, orgId, input, now);
  const { options, account } = prepared;
  return db.transaction(async (tx) => {
    const plan = await withoutAccountDuplicates(tx, orgId, prepared);
    const summary = summarise(prepared, plan);
    if (plan.debtors.length === 0) {
      throw new BatchFileError("NOTHING_TO_IMPORT", nothingLeftMessage(summary));
    }
    // Billing's rule, on the account locked until the batch commits: active, and its credit covers the estimate.
    assertCanAfford(await lockAccount(tx, orgId, account.id), plan.debtors.length);
    const agent = await findBatchAgent(tx, orgId, options.agent, options.useCase);
    const campaign = await insertBatch(
      tx,
      {
        orgId,
        accountId: account.id,
        agentId: agent.id,
        batchCode: batchCode(now),
        name: options.name ?? defaultName(options.fileName),
        description: options.description ?? null,
        useCase: options.useCase,
        country: prepared.country,
        estimatedCost: summary.estimatedCost,
        perJobEstimate: estimateCost(account.planType, 1),
        settings: {
          allow_duplicates: options.allowDuplicates,
          processing_type: options.processingType,
          dias_fecha_limite: options.deadlineDays ?? null,
          offer: options.offer ?? null,
          country: prepared.country,
          file_name: options.fileName,
        },
      },
      plan.debtors,
    );
    return {
      campaignId: campaign.id,
      number: campaign.number,
      batchCode: campaign.batchCode ?? "",
      objectId: campaign.objectId,
      name: campaign.name,
      totalDebtors: plan.debtors.length,
      totalJobs: plan.debtors.length,
      estimatedCost: summary.estimatedCost,
      duplicatesFound: summary.duplicates,
      createdAt: campaign.createdAt,
    };
  });
}

async function prepare(db: Database, orgId: string, input: BatchImportInput, now: Date): Promise<Prepared> {
  const { bytes, ...fields } = input;
  const options = parseInput(importOptions, fields, "Invalid batch import");
  const useCase = useCaseById(options.useCase);
  if (useCase.requiresOffer && !options.offer) {
    throw new ValidationError("Invalid batch import", [
      { path: ["offer"], message: "A marketing batch needs an offer description and a discount of 0–100" },
    ]);
  }
  const account = await batchAccount(db, orgId, options.account);
  const country = options.country ?? account.country;
  const sheet = readSheet(bytes);
  const plan = planBatch(sheet, {
    country: country as CountryCode,
    useCase,
    today: now.toISOString().slice(0, 10),
    deadlineDays: options.deadlineDays,
  });
  return { options, account, plan, country };
}

async function withoutAccountDuplicates(db: Queryable, orgId: string, prepared: Prepared): Promise<BatchPlan> {
  const { plan, account, options } = prepared;
  if (options.allowDuplicates) return plan;
  const taken = await debtorsInActiveBatches(db, orgId, account.id, plan.debtors);
  const reason = `already in an active batch of account ${account.code}`;
  return excludeDuplicates(plan, new Map([...taken].map((key) => [key, reason])));
}

function summarise({ options, account }: Prepared, plan: BatchPlan): BatchPreview {
  const count = (status: RowOutcome["status"]) => plan.outcomes.filter((outcome) => outcome.status === status).length;
  return {
    fileName: options.fileName,
    totalRows: plan.outcomes.length,
    validRows: count("valid"),
    invalidRows: count("invalid"),
    duplicates: count("duplicate"),
    totalDebtors: plan.debtors.length,
    estimatedCost: estimateCost(account.planType, plan.debtors.length),
    issues: plan.outcomes.filter((outcome) => outcome.status !== "valid"),
  };
}

function nothingLeftMessage(summary: BatchPreview): string {
  return `Nothing to import: ${summary.totalRows} rows, ${summary.invalidRows} invalid, ${summary.duplicates} duplicates`;
}

function defaultName(fileName: string): string {
  return fileName.replace(/\.(xlsx|xls)$/i, "") || "Batch";
}

/** SpeechAI's batch id, `batch-YYYY-MM-DD-HHMMSS-ffffff` (UTC; microseconds are milliseconds plus 3 random digits). */
export function batchCode(now: Date): string {
  const iso = now.toISOString();
  const micros = `${iso.slice(20, 23)}${String(Math.floor(Math.random() * 1000)).padStart(3, "0")}`;
  return `batch-${iso.slice(0, 10)}-${iso.slice(11, 19).replace(/:/g, "")}-${micros}`;
}
