import type { AppEnv } from "../env.js";
import { type AllowList, parseAllowList } from "./target.js";

/** How webhooks are delivered, read from the worker's vars. */
export type WebhookConfig = {
  allowList: AllowList;
  retryBaseMs: number;
  maxAttempts: number;
};

const byEnv = new WeakMap<AppEnv, WebhookConfig>();

export function webhookConfig(env: AppEnv): WebhookConfig {
  const cached = byEnv.get(env);
  if (cached) return cached;
  const config = {
    allowList: parseAllowList(env.WEBHOOK_ALLOWED_HOSTS),
    retryBaseMs: env.WEBHOOK_RETRY_BASE_MS,
    maxAttempts: env.WEBHOOK_MAX_ATTEMPTS,
  };
  byEnv.set(env, config);
  return config;
}
