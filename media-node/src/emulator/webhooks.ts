import { Deadline } from "../net/deadline.js";
import { type CallbackName, callbackPayloadProblems } from "./jambonz-schemas.js";
import { SIGNATURE_HEADER, signWebhookBody } from "./signature.js";

/** A jambonz webhook: `"https://…"` or `{url, method, username, password}`; relative URLs resolve against a base. */
export type HookSpec = string | { url: string; method?: string; username?: string; password?: string };
export type Hook = { url: string; method: "GET" | "POST"; username?: string; password?: string };

/** The same 10 s limit jambonz's http-requestor uses. */
const HOOK_TIMEOUT_MS = 10_000;

export function normalizeHook(spec: HookSpec, baseUrl?: string): Hook {
  const raw = typeof spec === "string" ? { url: spec } : spec;
  const url = baseUrl && raw.url.startsWith("/") ? new URL(raw.url, baseUrl).toString() : raw.url;
  const method = raw.method?.toUpperCase() === "GET" ? "GET" : "POST";
  return { url, method, ...(raw.username ? { username: raw.username, password: raw.password ?? "" } : {}) };
}

export class WebhookError extends Error {}

/**
 * Sends one callback the way jambonz does: JSON body, `Jambonz-Signature`, optional basic auth; 200/202/204 is
 * success and a JSON body (an array of verbs, usually) is returned. Before sending, the payload is checked against
 * @jambonz/schema; problems go to `onInvalidPayload` so tests see the emulator itself drifting from jambonz.
 */
export async function sendWebhook(options: {
  kind: CallbackName;
  hook: Hook;
  payload: Record<string, unknown>;
  secret: string;
  onInvalidPayload: (problems: string[]) => void;
}): Promise<unknown> {
  const { kind, hook, payload, secret } = options;
  const problems = callbackPayloadProblems(kind, payload);
  if (problems.length > 0) options.onInvalidPayload(problems);

  const body = JSON.stringify(payload);
  const headers: Record<string, string> = { [SIGNATURE_HEADER]: signWebhookBody(secret, body) };
  if (hook.username) {
    headers.Authorization = `Basic ${Buffer.from(`${hook.username}:${hook.password ?? ""}`).toString("base64")}`;
  }
  let url = hook.url;
  if (hook.method === "GET") {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(payload)) {
      query.set(key, typeof value === "object" ? JSON.stringify(value) : String(value));
    }
    url = `${url}${url.includes("?") ? "&" : "?"}${query}`;
  } else {
    headers["Content-Type"] = "application/json";
  }

  const deadline = new Deadline(HOOK_TIMEOUT_MS, "no answer within 10 s");
  let response: Response;
  let text: string;
  try {
    response = await deadline.race(
      fetch(url, {
        method: hook.method,
        headers,
        ...(hook.method === "POST" ? { body } : {}),
        signal: deadline.signal,
        redirect: "manual",
      }),
    );
    text = await deadline.race(response.text());
  } catch (error) {
    throw new WebhookError(`${kind} webhook ${hook.url} failed: ${error instanceof Error ? error.message : error}`);
  } finally {
    deadline.clear();
  }
  if (![200, 202, 204].includes(response.status)) {
    throw new WebhookError(`${kind} webhook ${hook.url} answered HTTP ${response.status}`);
  }
  if (!response.headers.get("content-type")?.includes("application/json") || text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new WebhookError(`${kind} webhook ${hook.url} answered invalid JSON`);
  }
}
