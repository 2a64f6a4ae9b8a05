import { AccountStatusError, InsufficientCreditError } from "../billing/errors.js";
import { Campaign } from "../campaigns/campaign.graphql.js";
import { builder } from "../graphql/builder.js";
import { db, orgOf } from "../graphql/context.js";
import { ErrorInterface, writeErrors } from "../graphql/errors.js";
import { livePublisher } from "../live/publish.js";
import { ValidationError } from "../shared/errors.js";
import { BatchFileError } from "./errors.js";
import type { RowOutcome } from "./plan.js";
import { type BatchImportInput, type BatchPreview, type CreatedBatch, createBatch, previewBatch } from "./service.js";
import { USE_CASE_IDS, USE_CASES, type UseCase } from "./use-cases.js";
import { BATCH_LIMITS } from "./workbook.js";

const UseCaseIdEnum = builder.enumType("UseCaseId", { values: USE_CASE_IDS });
const RowStatusEnum = builder.enumType("BatchRowStatus", { values: ["valid", "invalid", "duplicate"] as const });

const UseCaseType = builder.objectRef<UseCase>("UseCase").implement({
  fields: (t) => ({
    id: t.field({ type: UseCaseIdEnum, resolve: (useCase) => useCase.id }),
    name: t.exposeString("name"),
    description: t.exposeString("description"),
    requiresRut: t.exposeBoolean("requiresRut"),
    requiresOffer: t.exposeBoolean("requiresOffer"),
  }),
});

const RowIssue = builder.objectRef<RowOutcome>("BatchRowIssue").implement({
  description: "A row that will not become a call, and why.",
  fields: (t) => ({
    row: t.exposeInt("row", { description: "The row number Excel shows (the header is usually row 1)." }),
    status: t.field({ type: RowStatusEnum, resolve: (outcome) => outcome.status }),
    reasons: t.exposeStringList("reasons"),
  }),
});

const Preview = builder.objectRef<BatchPreview>("BatchPreview").implement({
  fields: (t) => ({
    fileName: t.exposeString("fileName"),
    totalRows: t.exposeInt("totalRows"),
    validRows: t.exposeInt("validRows"),
    invalidRows: t.exposeInt("invalidRows"),
    duplicates: t.exposeInt("duplicates"),
    totalDebtors: t.exposeInt("totalDebtors", {
      description: "Jobs the batch would have: rows sharing a RUT are one.",
    }),
    estimatedCost: t.exposeFloat("estimatedCost"),
    issues: t.field({ type: [RowIssue], resolve: (preview) => preview.issues }),
  }),
});

const Imported = builder.objectRef<CreatedBatch>("BatchImport").implement({
  fields: (t) => ({
    campaign: t.field({ type: Campaign, resolve: (batch) => batch.campaignId }),
    batchCode: t.exposeString("batchCode"),
    totalDebtors: t.exposeInt("totalDebtors"),
    totalJobs: t.exposeInt("totalJobs"),
    estimatedCost: t.exposeFloat("estimatedCost"),
    duplicatesFound: t.exposeInt("duplicatesFound"),
  }),
});

builder.objectType(BatchFileError, {
  name: "BatchFileError",
  description: `The file cannot become a batch: too large (over ${BATCH_LIMITS.maxFileBytes} bytes), too many rows (over ${BATCH_LIMITS.maxRows}), not an .xlsx/.xls, damaged, empty, missing columns, or nothing left to call. \`code\` says which.`,
  interfaces: [ErrorInterface],
});
// Billing's errors (edge/src/billing/billing.graphql.ts): the credit check is billing's rule.
const importErrors = [...writeErrors, BatchFileError, InsufficientCreditError, AccountStatusError];

const BatchImportInputType = builder.inputType("BatchImportInput", {
  description: "Send the workbook as `file` (multipart upload) or as `fileBase64`, with its `fileName`.",
  fields: (t) => ({
    file: t.field({ type: "File" }),
    fileBase64: t.string(),
    fileName: t.string({ required: true }),
    account: t.string({ description: "Account code or id; the organisation's default account when absent." }),
    useCase: t.field({ type: UseCaseIdEnum, description: "default debt_collection" }),
    country: t.string({ description: "CL or AR; the account's country when absent." }),
    allowDuplicates: t.boolean({ description: "Keep debtors already in an active batch of the account." }),
    deadlineDays: t.int({ description: "dias_fecha_limite: every deadline becomes today + N days." }),
    name: t.string(),
    description: t.string(),
    processingType: t.string({ description: "basic (default) or acquisition" }),
    offerDescription: t.string({ description: "Marketing: what is offered." }),
    offerDiscount: t.float({ description: "Marketing: discount, 0–100." }),
    scenario: t.string({ description: "Slug of the voice agent; by default the use case's agent or the oldest one." }),
  }),
});

type ImportArgs = typeof BatchImportInputType.$inferInput;

/** The GraphQL input in the service's words; the file's bytes come from the upload or the base64 text. */
async function toServiceInput(input: ImportArgs): Promise<BatchImportInput> {
  const { file, fileBase64, offerDescription, offerDiscount, scenario, country, processingType, ...rest } = input;
  const given = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== null && value !== undefined));
  return {
    ...given,
    fileName: input.fileName,
    bytes: await fileBytes(file, fileBase64),
    ...(country ? { country: country as never } : {}),
    ...(processingType ? { processingType: processingType as never } : {}),
    ...(scenario ? { agent: { slug: scenario } } : {}),
    ...(offerDescription || offerDiscount != null
      ? { offer: { description: offerDescription ?? "", discount: offerDiscount ?? Number.NaN } }
      : {}),
  };
}

async function fileBytes(file: File | null | undefined, base64: string | null | undefined): Promise<Uint8Array> {
  if (file && base64) throw invalidFile("Send the workbook once: as file or as fileBase64, not both");
  if (file) return new Uint8Array(await file.arrayBuffer());
  if (!base64) throw invalidFile("The workbook is missing: send file or fileBase64");
  // Decoding is bounded: nothing larger than the file limit is worth decoding.
  if (base64.length > Math.ceil(BATCH_LIMITS.maxFileBytes / 3) * 4 + 4) {
    throw new BatchFileError("FILE_TOO_LARGE", `The file is larger than ${BATCH_LIMITS.maxFileBytes} bytes`);
  }
  try {
    return Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
  } catch {
    throw invalidFile("fileBase64 is not valid base64");
  }
}

function invalidFile(message: string): ValidationError {
  return new ValidationError("Invalid batch import", [{ path: ["input", "file"], message }]);
}

builder.queryFields((t) => ({
  useCases: t.field({
    type: [UseCaseType],
    description: "SpeechAI's batch use cases.",
    authScopes: { authenticated: true },
    resolve: () => [...USE_CASES],
  }),
}));

builder.mutationFields((t) => ({
  previewBatchImport: t.field({
    type: Preview,
    description: "Reads an Excel batch and reports valid, invalid and duplicate rows with reasons; writes nothing.",
    authScopes: { scope: "campaigns:write" },
    errors: { types: importErrors },
    args: { input: t.arg({ type: BatchImportInputType, required: true }) },
    resolve: async (_root, { input }, context) =>
      previewBatch(db(context), orgOf(context), await toServiceInput(input)),
  }),
  importBatch: t.field({
    type: Imported,
    description:
      "Creates a SpeechAI batch from an Excel file: a pending campaign with one call per debtor, in one transaction.",
    authScopes: { scope: "campaigns:write" },
    errors: { types: importErrors },
    args: { input: t.arg({ type: BatchImportInputType, required: true }) },
    resolve: async (_root, { input }, context) => {
      const orgId = orgOf(context);
      const created = await createBatch(db(context), orgId, await toServiceInput(input));
      livePublisher(context.env, context.waitUntil)(orgId, [{ type: "progress", campaignId: created.campaignId }]);
      return created;
    },
  }),
}));
