import { builder } from "../graphql/builder.js";
import { db, orgOf } from "../graphql/context.js";
import { writeErrors } from "../graphql/errors.js";
import { webhookConfig } from "./config.js";
import { scheduleWebhookDeliveries } from "./emit.js";
import { WEBHOOK_EVENT_NAMES } from "./events.js";
import {
  deleteWebhook,
  deliveriesByIds,
  listDeliveries,
  listWebhooks,
  MAX_DELIVERIES_PAGE,
  type RegisteredWebhook,
  registerWebhook,
  replayDelivery,
  testWebhook,
  type WebhookDeliveryRow,
  type WebhookRow,
  type WebhookTestResult,
  webhooksByIds,
} from "./service.js";

/** GraphQL enum values cannot hold dots: CAMPAIGN_STARTED stands for `campaign.started`. */
const WebhookEvent = builder.enumType("WebhookEvent", {
  values: Object.fromEntries(
    WEBHOOK_EVENT_NAMES.map((name) => [name.replace(".", "_").toUpperCase(), { value: name }]),
  ) as Record<string, { value: (typeof WEBHOOK_EVENT_NAMES)[number] }>,
});

const WebhookDeliveryStatus = builder.enumType("WebhookDeliveryStatus", {
  description: "pending: waiting for its next attempt; dead_letter: attempts spent, waits for a replay.",
  values: {
    PENDING: { value: "pending" },
    DELIVERED: { value: "delivered" },
    DEAD_LETTER: { value: "dead_letter" },
  } as const,
});

export const Webhook = builder.loadableNode("Webhook", {
  id: { resolve: (webhook: WebhookRow) => webhook.id },
  load: (ids: string[], context) => webhooksByIds(db(context), orgOf(context), ids),
  sort: (webhook) => webhook.id,
  authScopes: { scope: "webhooks:manage" },
  fields: (t) => ({
    url: t.exposeString("url"),
    events: t.stringList({ resolve: (webhook) => webhook.events }),
    active: t.exposeBoolean("active"),
    description: t.exposeString("description", { nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
  }),
});

export const WebhookDelivery = builder.loadableNode("WebhookDelivery", {
  id: { resolve: (delivery: WebhookDeliveryRow) => delivery.id },
  load: (ids: string[], context) => deliveriesByIds(db(context), orgOf(context), ids),
  sort: (delivery) => delivery.id,
  authScopes: { scope: "webhooks:manage" },
  fields: (t) => ({
    webhook: t.field({
      type: Webhook,
      nullable: true,
      resolve: (delivery) => delivery.webhookId,
    }),
    event: t.exposeString("event"),
    payload: t.expose("payload", { type: "JSON" }),
    status: t.field({ type: WebhookDeliveryStatus, resolve: (delivery) => statusOf(delivery) }),
    attempts: t.exposeInt("attempts"),
    nextAttemptAt: t.expose("nextAttemptAt", { type: "DateTime", nullable: true }),
    responseStatus: t.exposeInt("responseStatus", { nullable: true }),
    responseBody: t.exposeString("responseBody", { nullable: true }),
    lastError: t.exposeString("lastError", { nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    deliveredAt: t.expose("deliveredAt", { type: "DateTime", nullable: true }),
  }),
});

/** `failed` is a legacy enum value nothing writes; shown as a dead letter should a row hold it. */
function statusOf(delivery: WebhookDeliveryRow): "pending" | "delivered" | "dead_letter" {
  return delivery.status === "failed" ? "dead_letter" : delivery.status;
}

const RegisteredWebhookType = builder.objectRef<RegisteredWebhook>("RegisteredWebhook").implement({
  fields: (t) => ({
    webhook: t.field({ type: Webhook, resolve: (result) => result.webhook }),
    secret: t.exposeString("secret", {
      description: "HMAC-SHA256 key of X-Switchboard-Signature. Returned by registration only: store it.",
    }),
  }),
});

const WebhookTestResultType = builder.objectRef<WebhookTestResult>("WebhookTestResult").implement({
  fields: (t) => ({
    success: t.exposeBoolean("success"),
    statusCode: t.exposeInt("statusCode", { nullable: true }),
    response: t.exposeString("response", { nullable: true }),
    error: t.exposeString("error", { nullable: true }),
  }),
});

const RegisterWebhookInput = builder.inputType("RegisterWebhookInput", {
  fields: (t) => ({
    url: t.string({ required: true }),
    events: t.field({ type: [WebhookEvent], required: true }),
    description: t.string(),
  }),
});

builder.queryFields((t) => ({
  webhooks: t.field({
    type: [Webhook],
    authScopes: { scope: "webhooks:manage" },
    resolve: (_root, _args, context) => listWebhooks(db(context), orgOf(context)),
  }),
  webhookDeliveries: t.field({
    type: [WebhookDelivery],
    description: `The delivery log, newest first (at most ${MAX_DELIVERIES_PAGE}); \`before\` pages back.`,
    authScopes: { scope: "webhooks:manage" },
    args: {
      webhookId: t.arg.globalID({ for: [Webhook] }),
      status: t.arg({ type: WebhookDeliveryStatus }),
      event: t.arg({ type: WebhookEvent }),
      before: t.arg({ type: "DateTime" }),
      limit: t.arg.int({ defaultValue: 50 }),
    },
    resolve: (_root, args, context) =>
      listDeliveries(db(context), orgOf(context), {
        webhookId: args.webhookId?.id,
        status: args.status ?? undefined,
        event: args.event ?? undefined,
        before: args.before ?? undefined,
        limit: args.limit ?? 50,
      }),
  }),
}));

builder.mutationFields((t) => ({
  registerWebhook: t.field({
    type: RegisteredWebhookType,
    description: "Registering a URL already registered replaces its events and keeps its secret.",
    authScopes: { scope: "webhooks:manage" },
    errors: { types: writeErrors },
    args: { input: t.arg({ type: RegisterWebhookInput, required: true }) },
    resolve: (_root, { input }, context) =>
      registerWebhook(
        db(context),
        orgOf(context),
        { url: input.url, events: input.events, description: input.description ?? undefined },
        webhookConfig(context.env),
      ),
  }),
  deleteWebhook: t.field({
    type: Webhook,
    authScopes: { scope: "webhooks:manage" },
    errors: { types: writeErrors },
    args: { id: t.arg.globalID({ required: true, for: [Webhook] }) },
    resolve: (_root, { id }, context) => deleteWebhook(db(context), orgOf(context), id.id),
  }),
  testWebhook: t.field({
    type: WebhookTestResultType,
    description: "Sends a signed `webhook.test` event now and returns the receiver's answer.",
    authScopes: { scope: "webhooks:manage" },
    errors: { types: writeErrors },
    args: { id: t.arg.globalID({ required: true, for: [Webhook] }) },
    resolve: (_root, { id }, context) =>
      testWebhook(db(context), orgOf(context), { id: id.id }, webhookConfig(context.env)),
  }),
  replayWebhookDelivery: t.field({
    type: WebhookDelivery,
    description: "Queues the delivery again (fresh attempts, same body), whatever its state.",
    authScopes: { scope: "webhooks:manage" },
    errors: { types: writeErrors },
    args: { id: t.arg.globalID({ required: true, for: [WebhookDelivery] }) },
    resolve: async (_root, { id }, context) => {
      const delivery = await replayDelivery(db(context), orgOf(context), id.id);
      scheduleWebhookDeliveries(context.env, delivery.orgId, context.waitUntil);
      return delivery;
    },
  }),
}));
