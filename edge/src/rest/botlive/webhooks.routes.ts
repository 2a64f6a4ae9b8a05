import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppBindings } from "../../http/app-types.js";
import type { Principal } from "../../identity/principal.js";
import { hasScope } from "../../identity/principal.js";
import { companyIdOf } from "../../orders/company.js";
import { webhookConfig } from "../../webhooks/config.js";
import { BOTLIVE_EVENT_NAMES } from "../../webhooks/events.js";
import { registerWebhook, testWebhook } from "../../webhooks/service.js";
import { SIGNATURE_HEADER } from "../../webhooks/signature.js";
import { json, jsonBody } from "../shared/openapi.js";
import { assertOwnCompany, botliveCaller } from "./auth.js";
import { botliveError } from "./errors.js";

const tags = ["Botlive: Webhooks"];

const RegisterBody = z
  .object({
    webhook_url: z.string().min(1).openapi({ example: "https://n8n.example.com/webhook/botlive" }),
    events: z
      .array(z.string())
      .optional()
      .openapi({ example: ["order_completed", "payment_validated", "intervention_required"] }),
    company_id: z.string().optional().openapi({ example: "4OS4yFcf2LZwxhKojbAVbKuVuSdb" }),
  })
  .openapi("BotliveWebhookRegister");

const RegisterResponse = z
  .object({
    success: z.literal(true),
    message: z.string(),
    config: z.object({
      id: z.string(),
      webhook_url: z.string(),
      events: z.array(z.string()),
      company_id: z.string(),
      secret: z.string(),
      signature_header: z.string(),
      active: z.boolean(),
      created_at: z.string(),
    }),
  })
  .openapi("BotliveWebhookRegistered");

const TestResponse = z
  .object({
    success: z.boolean(),
    status_code: z.number().int().nullable(),
    response: z.string().nullable(),
    error: z.string().nullable().optional(),
  })
  .openapi("BotliveWebhookTest");

const registerRoute = createRoute({
  method: "post",
  path: "/webhook/register",
  tags,
  summary: "Enregistrer un webhook",
  description:
    "Requires X-API-Key. Registering the same URL again replaces its events and keeps its secret. Each delivery is " +
    `POSTed as { event, timestamp, data } and signed: ${SIGNATURE_HEADER}: t=<unix seconds>,v1=<hex HMAC-SHA256 of ` +
    '"<t>.<raw body>" with config.secret>. Private, loopback and link-local targets are refused.',
  request: jsonBody(RegisterBody),
  responses: { 200: json(RegisterResponse, "Webhook enregistré") },
});

const testRoute = createRoute({
  method: "post",
  path: "/webhook/test",
  tags,
  summary: "Tester un webhook",
  description: "Sends a signed `webhook.test` event to a webhook this organisation registered, and returns its answer.",
  request: { query: z.object({ webhook_url: z.string().min(1) }) },
  responses: { 200: json(TestResponse, "The receiver's answer") },
});

/** Botlive's documented webhook routes (§7–8 of botlive.md), over the webhooks service. */
export function registerBotliveWebhookRoutes(app: OpenAPIHono<AppBindings>): void {
  app.openapi(registerRoute, async (c) => {
    const principal = webhookManager(c);
    const { orgId } = principal;
    const body = c.req.valid("json");
    const companyId = await companyOf(c, principal, body.company_id);
    const { webhook, secret } = await registerWebhook(
      c.var.database.db,
      orgId,
      { url: body.webhook_url, events: body.events ?? BOTLIVE_EVENT_NAMES },
      webhookConfig(c.var.env),
    );
    const config = {
      id: webhook.id,
      webhook_url: webhook.url,
      events: webhook.events,
      company_id: companyId,
      secret,
      signature_header: SIGNATURE_HEADER,
      active: webhook.active,
      created_at: webhook.createdAt.toISOString(),
    };
    return c.json({ success: true as const, message: "Webhook enregistré", config }, 200);
  });

  app.openapi(testRoute, async (c) => {
    const { orgId } = webhookManager(c);
    const result = await testWebhook(
      c.var.database.db,
      orgId,
      { url: c.req.valid("query").webhook_url },
      webhookConfig(c.var.env),
    );
    return c.json(
      { success: result.success, status_code: result.statusCode, response: result.response, error: result.error },
      200,
    );
  });
}

/** Botlive needs an API key (X-API-Key) or a user token that may manage webhooks. */
function webhookManager(c: Context<AppBindings>): Principal {
  const principal = botliveCaller(c);
  if (!hasScope(principal, "webhooks:manage")) {
    throw botliveError("forbidden", 403, "This API key lacks the webhooks:manage scope");
  }
  return principal;
}

/** The company_id the configuration names: the one given (which must be the caller's), else the caller's own. */
async function companyOf(c: Context<AppBindings>, principal: Principal, companyId: string | undefined) {
  if (companyId !== undefined) {
    await assertOwnCompany(c, principal, companyId);
    return companyId;
  }
  return companyIdOf(c.var.database.db, principal.orgId);
}
