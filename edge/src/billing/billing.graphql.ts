import { encodeGlobalID } from "@pothos/plugin-relay";
import { accountStatus, creditTransactionType, planType } from "@switchboard/schema";
import { campaignEffects } from "../campaigns/effects.js";
import { withoutNulls } from "../graphql/args.js";
import { builder } from "../graphql/builder.js";
import { db, type GraphQLContext, orgOf } from "../graphql/context.js";
import { ErrorInterface, writeErrors } from "../graphql/errors.js";
import { numberConnection, textConnection } from "../graphql/pagination.js";
import { NotFoundError } from "../shared/errors.js";
import { AccountStatusError, InsufficientCreditError } from "./errors.js";
import {
  type AccountChange,
  type AccountView,
  accountsByIds,
  activateAccount,
  createAccount,
  findAccount,
  type LedgerEntry,
  listAccounts,
  listTransactions,
  refund,
  suspendAccount,
  topUp,
} from "./service.js";

const PlanTypeEnum = builder.enumType("PlanType", { values: planType.enumValues });
const AccountStatusEnum = builder.enumType("AccountStatus", { values: accountStatus.enumValues });
const CreditTransactionTypeEnum = builder.enumType("CreditTransactionType", {
  values: creditTransactionType.enumValues,
});

type Balance = Pick<AccountView, "planType" | "creditBalance" | "creditReserved" | "creditAvailable" | "creditUsed">;

const CreditBalance = builder.objectRef<Balance>("CreditBalance").implement({
  description: "Derived from the ledger. Credits on credit_based plans, minutes on minutes plans.",
  fields: (t) => ({
    unit: t.string({ resolve: (account) => (account.planType === "minutes" ? "minutes" : "credits") }),
    balance: t.exposeFloat("creditBalance"),
    reserved: t.exposeFloat("creditReserved", { description: "Held by calls on the line." }),
    available: t.exposeFloat("creditAvailable", { description: "balance − reserved: what new calls may use." }),
    used: t.exposeFloat("creditUsed", { description: "Charged so far, net of refunds." }),
  }),
});

const CreditTransaction = builder.objectRef<LedgerEntry>("CreditTransaction").implement({
  description: "One entry of the account's append-only ledger.",
  fields: (t) => ({
    id: t.exposeString("code", { description: "txn_…" }),
    type: t.field({ type: CreditTransactionTypeEnum, resolve: (entry) => entry.type }),
    amount: t.exposeFloat("amount"),
    cost: t.exposeFloat("cost", { nullable: true, description: "Money paid for a top-up, in minor units." }),
    balanceAfter: t.exposeFloat("balanceAfter", { nullable: true }),
    description: t.exposeString("description", { nullable: true }),
    campaignId: t.id({
      nullable: true,
      resolve: (entry) => (entry.campaignId ? encodeGlobalID("Campaign", entry.campaignId) : null),
    }),
    callId: t.id({ nullable: true, resolve: (entry) => (entry.callId ? encodeGlobalID("Call", entry.callId) : null) }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

export const BillingAccount = builder.loadableNode("BillingAccount", {
  description: "A billing account of the organisation (an agency runs one per client). Organisation admins only.",
  id: { resolve: (account: AccountView) => account.id },
  load: (ids: string[], context) => accountsByIds(db(context), orgOf(context), ids),
  sort: (account) => account.id,
  authScopes: { scope: "billing:manage" },
  fields: (t) => ({
    code: t.exposeString("code", { description: "Public id: acc-… (SpeechAI's account_id) or a chosen slug." }),
    name: t.exposeString("name"),
    contactName: t.exposeString("contactName", { nullable: true }),
    contactEmail: t.exposeString("contactEmail", { nullable: true }),
    contactPhone: t.exposeString("contactPhone", { nullable: true }),
    country: t.exposeString("country"),
    planType: t.field({ type: PlanTypeEnum, resolve: (account) => account.planType }),
    status: t.field({ type: AccountStatusEnum, resolve: (account) => account.status }),
    isDefault: t.exposeBoolean("isDefault", { description: "Charged for campaigns that name no account." }),
    balance: t.field({ type: CreditBalance, resolve: (account) => account }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    transactions: t.connection({
      type: CreditTransaction,
      description: "The ledger, newest first.",
      resolve: (account, args, context) =>
        numberConnection(args, (page) => listTransactions(db(context), orgOf(context), account.id, page)),
    }),
  }),
});

builder.objectType(InsufficientCreditError, {
  name: "InsufficientCreditError",
  description: "The account's credit does not cover what was asked.",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    accountCode: t.exposeString("accountCode"),
    required: t.exposeFloat("required"),
    available: t.exposeFloat("available"),
  }),
});

builder.objectType(AccountStatusError, {
  name: "AccountStatusError",
  description: "The account's status does not allow the action (suspend a suspended account…).",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    accountCode: t.exposeString("accountCode"),
    status: t.field({ type: AccountStatusEnum, resolve: (error) => error.status }),
  }),
});

const billingErrors = [...writeErrors, InsufficientCreditError, AccountStatusError];

const CreateBillingAccountInput = builder.inputType("CreateBillingAccountInput", {
  fields: (t) => ({
    name: t.string({ required: true }),
    code: t.string({ description: "Public id; acc- + 12 hex when absent." }),
    contactName: t.string(),
    contactEmail: t.string(),
    contactPhone: t.string(),
    country: t.string({ description: "ISO 3166 alpha-2, default CL" }),
    planType: t.field({ type: PlanTypeEnum, description: "default credit_based" }),
    initialCredits: t.float({ description: "The first top-up, default 0" }),
  }),
});

/** After a committed change that may let calls dial: wake the account's running campaigns, refresh their figures. */
function wakeCampaigns(context: GraphQLContext, orgId: string, change: AccountChange): AccountView {
  const effects = campaignEffects(context.env, context.waitUntil);
  for (const campaignId of change.wakeCampaignIds) effects.wakeDialer(campaignId);
  if (change.wakeCampaignIds.length > 0) {
    effects.publish(
      orgId,
      change.wakeCampaignIds.map((campaignId) => ({ type: "progress", campaignId })),
    );
  }
  return change.account;
}

builder.queryFields((t) => ({
  billingAccounts: t.connection({
    type: BillingAccount,
    description: "The organisation's billing accounts, by code.",
    authScopes: { scope: "billing:manage" },
    resolve: (_root, args, context) =>
      textConnection(
        args,
        (account: AccountView) => account.code,
        (page) => listAccounts(db(context), orgOf(context), page),
      ),
  }),
  billingAccount: t.field({
    type: BillingAccount,
    nullable: true,
    description: "One account by its public code (acc-… or slug); null when the organisation has none by that code.",
    authScopes: { scope: "billing:manage" },
    args: { code: t.arg.string({ required: true }) },
    resolve: async (_root, { code }, context) =>
      findAccount(db(context), orgOf(context), { code }).catch((error: unknown) => {
        if (error instanceof NotFoundError) return null;
        throw error;
      }),
  }),
}));

const accountArg = (t: Parameters<Parameters<typeof builder.mutationFields>[0]>[0]) =>
  t.arg.globalID({ required: true, for: [BillingAccount] });

builder.mutationFields((t) => ({
  createBillingAccount: t.field({
    type: BillingAccount,
    authScopes: { scope: "billing:manage" },
    errors: { types: billingErrors },
    args: { input: t.arg({ type: CreateBillingAccountInput, required: true }) },
    resolve: (_root, { input }, context) => createAccount(db(context), orgOf(context), withoutNulls(input)),
  }),
  topUpBillingAccount: t.field({
    type: BillingAccount,
    description: "Adds credits; calls held for credit resume and the account's running campaigns dial again.",
    authScopes: { scope: "billing:manage" },
    errors: { types: billingErrors },
    args: {
      id: accountArg(t),
      credits: t.arg.float({ required: true }),
      cost: t.arg.float({ description: "What was paid, in minor units" }),
      description: t.arg.string(),
    },
    resolve: async (_root, { id, ...input }, context) => {
      const orgId = orgOf(context);
      return wakeCampaigns(context, orgId, await topUp(db(context), orgId, { id: id.id }, withoutNulls(input)));
    },
  }),
  refundBillingAccount: t.field({
    type: BillingAccount,
    description: "Gives charged credit back (never more than was charged): a refund in the ledger.",
    authScopes: { scope: "billing:manage" },
    errors: { types: billingErrors },
    args: {
      id: accountArg(t),
      credits: t.arg.float({ required: true }),
      callId: t.arg.globalID({ description: "The call refunded, if any" }),
      description: t.arg.string(),
    },
    resolve: async (_root, { id, callId, ...input }, context) => {
      const orgId = orgOf(context);
      const fields = { ...withoutNulls(input), ...(callId ? { callId: callId.id } : {}) };
      return wakeCampaigns(context, orgId, await refund(db(context), orgId, { id: id.id }, fields));
    },
  }),
  suspendBillingAccount: t.field({
    type: BillingAccount,
    description: "The account's campaigns place no new call until it is activated; calls in flight finish.",
    authScopes: { scope: "billing:manage" },
    errors: { types: billingErrors },
    args: { id: accountArg(t) },
    resolve: (_root, { id }, context) => suspendAccount(db(context), orgOf(context), { id: id.id }),
  }),
  activateBillingAccount: t.field({
    type: BillingAccount,
    authScopes: { scope: "billing:manage" },
    errors: { types: billingErrors },
    args: { id: accountArg(t) },
    resolve: async (_root, { id }, context) => {
      const orgId = orgOf(context);
      return wakeCampaigns(context, orgId, await activateAccount(db(context), orgId, { id: id.id }));
    },
  }),
}));
