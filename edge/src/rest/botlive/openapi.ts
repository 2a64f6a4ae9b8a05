import { z } from "@hono/zod-openapi";
import { json, jsonBody } from "../shared/openapi.js";
import type { BotliveApp } from "./surface.js";

/**
 * Botlive's routes in /openapi.json. The handlers validate with their own schemas (schemas.ts); these describe
 * the documented shapes for readers of the API document.
 */

const tags = ["Botlive"];
const security = [{ ApiKeyHeader: [] }];

const OrderStatus = z
  .object({
    produit: z.string(),
    paiement: z.string(),
    zone: z.string(),
    numero: z.string(),
    completion_rate: z.number().int(),
    is_complete: z.boolean(),
  })
  .openapi("BotliveOrderStatus");

const MessageRequest = z
  .object({
    company_id: z.string(),
    user_id: z.string(),
    user_name: z.string().optional(),
    message: z.string().max(4000),
    images: z.array(z.string()).optional(),
    conversation_history: z.string().optional(),
    language: z.string().optional(),
  })
  .openapi("BotliveMessageRequest");

const MessageResponse = z
  .object({
    success: z.boolean(),
    response: z.string(),
    order_status: OrderStatus,
    next_step: z.enum(["produit", "paiement", "zone", "numero", "completed"]),
    duration_ms: z.number(),
    request_id: z.string(),
    intent: z.string(),
    confidence: z.number(),
    language: z.string(),
    mode: z.string().openapi({ description: "rules:v1, or llm:<model>" }),
  })
  .openapi("BotliveMessageResponse");

const BotliveError = z
  .object({ success: z.literal(false), error: z.string(), detail: z.string(), request_id: z.string() })
  .openapi("BotliveError");

const companyParam = z.object({ company_id: z.string() });
const errors = {
  401: json(BotliveError, "API key missing or invalid"),
  403: json(BotliveError, "Another organisation's company"),
  404: json(BotliveError, "Unknown company"),
  422: json(BotliveError, "Invalid request"),
};

export function documentBotliveRoutes(app: BotliveApp, base: string): void {
  const registry = app.openAPIRegistry;
  registry.registerPath({
    method: "post",
    path: `${base}/message`,
    tags,
    security,
    summary: "Process a customer message (text + images)",
    request: jsonBody(MessageRequest),
    responses: { 200: json(MessageResponse, "The bot's reply and the order's progress"), ...errors },
  });
  registry.registerPath({
    method: "post",
    path: `${base}/message/stream`,
    tags,
    security,
    summary: "Process a message, replying as Server-Sent Events (start, token…, done)",
    request: jsonBody(MessageRequest),
    responses: {
      200: {
        description: "text/event-stream; each data line is JSON",
        content: { "text/event-stream": { schema: z.string() } },
      },
      ...errors,
    },
  });
  for (const [path, summary] of [
    ["/stats/{company_id}", "Live statistics (time_range=today|week|month)"],
    ["/orders/active/{company_id}", "Orders in progress (limit, default 50)"],
    ["/interventions/{company_id}", "Open interventions"],
    ["/activity/{company_id}", "Recent activity with relative French timestamps (limit, default 10)"],
  ] as const) {
    registry.registerPath({
      method: "get",
      path: `${base}${path}`,
      tags,
      security,
      summary,
      request: { params: companyParam },
      responses: { 200: json(z.record(z.string(), z.unknown()), "As documented"), ...errors },
    });
  }
  registry.registerPath({
    method: "post",
    path: `${base}/admin/clear-state/{user_id}`,
    tags,
    security,
    summary: "Reset a customer's order",
    request: { params: z.object({ user_id: z.string() }) },
    responses: { 200: json(z.object({ success: z.boolean(), message: z.string() }), "Reset"), 401: errors[401] },
  });
  registry.registerPath({
    method: "get",
    path: `${base}/health`,
    tags,
    summary: "Health check",
    responses: {
      200: json(z.object({ status: z.string(), engine: z.string(), timestamp: z.string() }), "Healthy"),
    },
  });
}
