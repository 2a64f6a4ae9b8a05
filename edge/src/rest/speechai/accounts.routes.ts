import { createRoute, z } from "@hono/zod-openapi";
import { planType } from "@switchboard/schema";
import type { Context } from "hono";
import {
  type AccountChange,
  type AccountView,
  activateAccount,
  createAccount,
  findAccount,
  listAccountPage,
  listTransactionPage,
  suspendAccount,
  topUp,
} from "../../billing/service.js";
import { campaignEffects } from "../../campaigns/effects.js";
import type { AppBindings } from "../../http/app-types.js";
import { caller } from "./auth.js";
import { speechAiTimestamp } from "./format.js";
import {
  AccountIdParams,
  AUTHENTICATED_ERRORS,
  BAD_REQUEST,
  errorResponse,
  json,
  jsonBody,
  NOT_FOUND,
  pagingQuery,
  SPEECHAI_SECURITY,
  Timestamp,
} from "./schemas.js";
import type { SpeechAiApp } from "./surface.js";

const tags = ["SpeechAI: Accounts"];
const security = SPEECHAI_SECURITY;
const PLAN_TYPES = planType.enumValues;

const AccountCreateBody = z
  .object({
    account_name: z.string().openapi({ example: "Mi Empresa" }),
    contact_name: z.string().nullish().openapi({ example: "Juan Pérez" }),
    contact_email: z.email().nullish().openapi({ example: "juan@empresa.com" }),
    contact_phone: z.string().nullish().openapi({ example: "+56912345678" }),
    plan_type: z.enum(PLAN_TYPES).default("credit_based"),
    initial_credits: z.number().min(0).default(0).openapi({ example: 100 }),
    /** Not in the document: a chosen id (`retail_express`), else `acc-` + 12 hex. */
    account_id: z.string().optional().openapi({ example: "retail_express" }),
    /** Not in the document: the country phones are read in (CL by default). */
    country: z.string().optional().openapi({ example: "CL" }),
  })
  .openapi("SpeechAiAccountCreate");

const Account = z
  .object({
    account_id: z.string(),
    account_name: z.string(),
    plan_type: z.enum(PLAN_TYPES),
    status: z.enum(["active", "suspended"]),
    credit_balance: z.number(),
    credit_used: z.number(),
    created_at: Timestamp,
  })
  .openapi("SpeechAiAccount");

const Balance = z
  .object({
    account_id: z.string(),
    plan_type: z.enum(PLAN_TYPES),
    credit_balance: z.number(),
    credit_available: z.number(),
    credit_reserved: z.number(),
    credit_used: z.number(),
  })
  .openapi("SpeechAiBalance");

const TopUpBody = z
  .object({
    credits: z.number().positive().openapi({ example: 100 }),
    cost: z.number().min(0).nullish().openapi({ description: "What the client paid, in minor units" }),
    description: z.string().nullish(),
  })
  .openapi("SpeechAiTopUp");

const StatusChange = z.object({
  success: z.literal(true),
  message: z.string(),
  account_id: z.string(),
  status: z.enum(["active", "suspended"]),
});

const Transaction = z.object({
  transaction_id: z.string().openapi({ example: "txn_abc123" }),
  type: z.string().openapi({ example: "topup_credits" }),
  amount: z.number(),
  cost: z.number().nullable(),
  description: z.string().nullable(),
  created_at: Timestamp,
});

const accountRoute = (method: "get" | "put" | "post", path: string, summary: string) => ({
  method,
  path: `/accounts/{account_id}${path}`,
  tags,
  summary,
  security,
});

const createAccountRoute = createRoute({
  method: "post",
  path: "/accounts",
  tags,
  summary: "Crear cuenta",
  security,
  request: jsonBody(AccountCreateBody),
  responses: {
    200: json(
      z.object({ success: z.literal(true), account_id: z.string(), message: z.string() }),
      "Account created successfully",
    ),
    409: errorResponse("An account with that id exists"),
    ...AUTHENTICATED_ERRORS,
  },
});

const getAccountRoute = createRoute({
  ...accountRoute("get", "", "Obtener cuenta"),
  request: { params: AccountIdParams },
  responses: { 200: json(Account, "The account"), ...NOT_FOUND, ...AUTHENTICATED_ERRORS },
});

const balanceRoute = createRoute({
  ...accountRoute("get", "/balance", "Obtener balance"),
  request: { params: AccountIdParams },
  responses: { 200: json(Balance, "Balance, reserved, available and used"), ...NOT_FOUND, ...AUTHENTICATED_ERRORS },
});

const topUpRoute = createRoute({
  ...accountRoute("post", "/topup", "Recargar créditos"),
  request: { params: AccountIdParams, ...jsonBody(TopUpBody) },
  responses: {
    200: json(
      z.object({ success: z.literal(true), new_balance: z.number(), amount_added: z.number() }),
      "Credits added",
    ),
    ...NOT_FOUND,
    ...AUTHENTICATED_ERRORS,
  },
});

const listRoute = createRoute({
  method: "get",
  path: "/accounts",
  tags,
  summary: "Obtener todas las cuentas",
  security,
  request: { query: z.object(pagingQuery(50)) },
  responses: {
    200: json(
      z.object({
        accounts: z.array(Account.pick({ account_id: true, account_name: true, status: true, credit_balance: true })),
        total: z.number().int(),
      }),
      "Oldest first",
    ),
    ...AUTHENTICATED_ERRORS,
  },
});

const suspendRoute = createRoute({
  ...accountRoute("put", "/suspend", "Suspender cuenta"),
  description: "A suspended account places no new call (calls in flight finish) until it is activated.",
  request: { params: AccountIdParams },
  responses: { 200: json(StatusChange, "Suspended"), ...BAD_REQUEST, ...NOT_FOUND, ...AUTHENTICATED_ERRORS },
});

const activateRoute = createRoute({
  ...accountRoute("put", "/activate", "Activar cuenta"),
  request: { params: AccountIdParams },
  responses: { 200: json(StatusChange, "Active again"), ...BAD_REQUEST, ...NOT_FOUND, ...AUTHENTICATED_ERRORS },
});

const transactionsRoute = createRoute({
  ...accountRoute("get", "/transactions", "Obtener transacciones"),
  request: { params: AccountIdParams, query: z.object(pagingQuery(50)) },
  responses: {
    200: json(z.object({ transactions: z.array(Transaction), total: z.number().int() }), "Newest first"),
    ...NOT_FOUND,
    ...AUTHENTICATED_ERRORS,
  },
});

function accountBody(account: AccountView) {
  return {
    account_id: account.code,
    account_name: account.name,
    plan_type: account.planType,
    status: account.status,
    credit_balance: account.creditBalance,
    credit_used: account.creditUsed,
    created_at: speechAiTimestamp(account.createdAt),
  };
}

/** After a top-up or activation: the account's running campaigns dial again. */
function wakeCampaigns(c: Context<AppBindings>, orgId: string, change: AccountChange): AccountView {
  const effects = campaignEffects(c.var.env, (work) => c.executionCtx.waitUntil(work));
  for (const campaignId of change.wakeCampaignIds) effects.wakeDialer(campaignId);
  if (change.wakeCampaignIds.length > 0) {
    effects.publish(
      orgId,
      change.wakeCampaignIds.map((campaignId) => ({ type: "progress", campaignId })),
    );
  }
  return change.account;
}

function statusChange(account: AccountView, message: string) {
  return { success: true as const, message, account_id: account.code, status: account.status };
}

export function registerAccountRoutes(app: SpeechAiApp): void {
  app.openapi(createAccountRoute, async (c) => {
    const { orgId } = caller(c, "billing:manage");
    const body = c.req.valid("json");
    const account = await createAccount(c.var.database.db, orgId, {
      name: body.account_name,
      code: body.account_id,
      contactName: body.contact_name,
      contactEmail: body.contact_email,
      contactPhone: body.contact_phone,
      country: body.country,
      planType: body.plan_type,
      initialCredits: body.initial_credits,
    });
    return c.json({ success: true as const, account_id: account.code, message: "Account created successfully" }, 200);
  });

  app.openapi(getAccountRoute, async (c) => {
    const { orgId } = caller(c, "billing:manage");
    const account = await findAccount(c.var.database.db, orgId, { code: c.req.valid("param").account_id });
    return c.json(accountBody(account), 200);
  });

  app.openapi(balanceRoute, async (c) => {
    const { orgId } = caller(c, "billing:manage");
    const account = await findAccount(c.var.database.db, orgId, { code: c.req.valid("param").account_id });
    return c.json(
      {
        account_id: account.code,
        plan_type: account.planType,
        credit_balance: account.creditBalance,
        credit_available: account.creditAvailable,
        credit_reserved: account.creditReserved,
        credit_used: account.creditUsed,
      },
      200,
    );
  });

  app.openapi(topUpRoute, async (c) => {
    const { orgId } = caller(c, "billing:manage");
    const body = c.req.valid("json");
    const ref = { code: c.req.valid("param").account_id };
    const change = await topUp(c.var.database.db, orgId, ref, body);
    const account = wakeCampaigns(c, orgId, change);
    return c.json({ success: true as const, new_balance: account.creditBalance, amount_added: body.credits }, 200);
  });

  app.openapi(listRoute, async (c) => {
    const { orgId } = caller(c, "billing:manage");
    const { limit, skip } = c.req.valid("query");
    const page = await listAccountPage(c.var.database.db, orgId, { limit, offset: skip });
    const accounts = page.accounts.map((account) => ({
      account_id: account.code,
      account_name: account.name,
      status: account.status,
      credit_balance: account.creditBalance,
    }));
    return c.json({ accounts, total: page.total }, 200);
  });

  app.openapi(suspendRoute, async (c) => {
    const { orgId } = caller(c, "billing:manage");
    const account = await suspendAccount(c.var.database.db, orgId, { code: c.req.valid("param").account_id });
    return c.json(statusChange(account, "Account suspended"), 200);
  });

  app.openapi(activateRoute, async (c) => {
    const { orgId } = caller(c, "billing:manage");
    const change = await activateAccount(c.var.database.db, orgId, { code: c.req.valid("param").account_id });
    return c.json(statusChange(wakeCampaigns(c, orgId, change), "Account activated"), 200);
  });

  app.openapi(transactionsRoute, async (c) => {
    const { orgId } = caller(c, "billing:manage");
    const { limit, skip } = c.req.valid("query");
    const ref = { code: c.req.valid("param").account_id };
    const page = await listTransactionPage(c.var.database.db, orgId, ref, { limit, offset: skip });
    const transactions = page.transactions.map((entry) => ({
      transaction_id: entry.code,
      type: entry.type,
      amount: entry.amount,
      cost: entry.cost,
      description: entry.description,
      created_at: speechAiTimestamp(entry.createdAt),
    }));
    return c.json({ transactions, total: page.total }, 200);
  });
}
