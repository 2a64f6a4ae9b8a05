import { openAiCompatibleModel } from "../conversation/llm-provider.js";
import type { Database } from "../db/client.js";
import type { AppEnv } from "../env.js";
import { scheduleWebhookDeliveries } from "../webhooks/emit.js";
import type { ChatEngineDeps } from "./engine.js";
import { chatTools } from "./tools.js";
import type { ChatTurnResult } from "./turn.js";

/** The engine as the worker runs it: the LLM agent when LLM_BASE_URL is set, the rules otherwise. */
export function chatEngineFor(env: AppEnv, db: Database): ChatEngineDeps {
  const model = env.LLM_BASE_URL
    ? {
        model: openAiCompatibleModel({ baseUrl: env.LLM_BASE_URL, apiKey: env.LLM_API_KEY }, env.LLM_MODEL),
        id: env.LLM_MODEL,
      }
    : null;
  return { db, tools: chatTools(), model };
}

/** After the turn committed: deliver the webhook events it queued, without holding the response. */
export function afterChatTurn(
  env: AppEnv,
  orgId: string,
  result: ChatTurnResult,
  waitUntil: (work: Promise<unknown>) => void,
): void {
  if (result.webhookEvents) scheduleWebhookDeliveries(env, orgId, waitUntil);
}
