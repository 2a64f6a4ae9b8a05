import { serve } from "@hono/node-server";
import { type Context, Hono } from "hono";
import { z } from "zod";
import { type CallRequest, EmulatedCall } from "./call.js";
import { EMULATOR_DEFAULTS } from "./config.js";
import { componentProblems } from "./jambonz-schemas.js";
import { personaForNumber } from "./personas.js";
import type { HookSpec } from "./webhooks.js";

/**
 * A stand-in for jambonz: its REST API for calls (`/v1/Accounts/{AccountSid}/Calls…`), and simulated calls that
 * drive the app with the same webhooks jambonz sends (or its WebSocket API, for a ws(s):// call hook). Plus
 * emulator-only routes under `/emulator/` for starting inbound calls and for tests to see what happened.
 */

export type EmulatorOptions = {
  accountSid?: string;
  apiKey?: string;
  webhookSecret?: string;
  /** Simulated seconds per real second (1 = real time). */
  speed?: number;
  /** Where the emulator is reachable, reported to apps as `api_base_url`. */
  publicUrl?: string;
  log?: (line: string) => void;
};

/** Finished calls kept for introspection before the oldest are forgotten. */
const MAX_FINISHED_CALLS = 5_000;

const hookSchema = z.union([
  z.string().min(1),
  z.looseObject({
    url: z.string().min(1),
    method: z.string().optional(),
    username: z.string().optional(),
    password: z.string().optional(),
  }),
]);

const createCallSchema = z.looseObject({
  from: z.string().min(1),
  to: z.looseObject({
    type: z.enum(["phone", "sip", "user", "teams"]),
    number: z.string().optional(),
    sipUri: z.string().optional(),
    name: z.string().optional(),
  }),
  call_hook: hookSchema.optional(),
  call_status_hook: hookSchema.optional(),
  application_sid: z.string().optional(),
  tag: z.record(z.string(), z.unknown()).optional(),
  amd: z.looseObject({ actionHook: hookSchema }).optional(),
  /** Seconds to let the phone ring. */
  timeout: z.number().positive().optional(),
});

const updateCallSchema = z.looseObject({
  call_status: z.string().optional(),
  call_hook: hookSchema.optional(),
  child_call_hook: hookSchema.optional(),
  listen_status: z.string().optional(),
  mute_status: z.string().optional(),
  whisper: z.unknown().optional(),
});

const inboundSchema = z.looseObject({
  from: z.string().min(1),
  to: z.string().min(1),
  call_hook: hookSchema,
  call_status_hook: hookSchema.optional(),
  application_sid: z.string().optional(),
});

function hookUrl(spec: HookSpec): string {
  return typeof spec === "string" ? spec : spec.url;
}

/** Like jambonz's api-server: an http(s) webhook, or a ws(s) WebSocket API application. */
function isAbsoluteHookUrl(url: string): boolean {
  return /^(https?|wss?):/.test(url);
}

function dialledNumber(to: z.infer<typeof createCallSchema>["to"]): string | undefined {
  if (to.type === "phone" || to.type === "teams") return to.number;
  if (to.type === "sip") return to.sipUri;
  return to.name;
}

/** jambonz's own error body for rejected requests: `{msg}`. */
function badRequest(c: Context, msg: string) {
  return c.json({ msg }, 400);
}

export function createEmulator(options: EmulatorOptions = {}) {
  const accountSid = options.accountSid ?? EMULATOR_DEFAULTS.accountSid;
  const apiKey = options.apiKey ?? EMULATOR_DEFAULTS.apiKey;
  const settings = {
    accountSid,
    webhookSecret: options.webhookSecret ?? EMULATOR_DEFAULTS.webhookSecret,
    speed: options.speed ?? 1,
    apiBaseUrl: `${options.publicUrl ?? `http://127.0.0.1:${EMULATOR_DEFAULTS.port}`}/v1`,
    log: options.log ?? ((line: string) => console.error(`[jambonz emulator] ${line}`)),
  };
  const calls = new Map<string, EmulatedCall>();

  function startCall(request: CallRequest): EmulatedCall {
    forgetOldCalls();
    const call = new EmulatedCall(request, settings);
    calls.set(call.sid, call);
    call.start();
    return call;
  }

  function forgetOldCalls(): void {
    if (calls.size < MAX_FINISHED_CALLS) return;
    for (const [sid, call] of calls) {
      if (calls.size < MAX_FINISHED_CALLS) return;
      if (call.ended) calls.delete(sid);
    }
  }

  /** A live call of this account, as jambonz's REST API sees it (finished calls are gone). */
  function liveCall(c: Context): EmulatedCall | undefined {
    if (c.req.param("accountSid") !== accountSid) return undefined;
    const call = calls.get(c.req.param("callSid") ?? "");
    return call && !call.ended ? call : undefined;
  }

  const app = new Hono();

  app.get("/health", (c) => c.json({ status: "ok", service: "jambonz-emulator", calls: calls.size }));

  // REST API: Bearer api key, like jambonz's account-level keys.
  app.use("/v1/*", async (c, next) => {
    if (c.req.header("authorization") !== `Bearer ${apiKey}`) return c.json({ msg: "unauthorized" }, 401);
    await next();
  });

  app.post("/v1/Accounts/:accountSid/Calls", async (c) => {
    if (c.req.param("accountSid") !== accountSid) {
      return badRequest(c, `unauthorized createCall request for account ${c.req.param("accountSid")}`);
    }
    const parsed = createCallSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return badRequest(c, `invalid createCall request: ${z.prettifyError(parsed.error)}`);
    const body = parsed.data;
    const to = dialledNumber(body.to);
    if (!to) return badRequest(c, `missing or invalid to property: ${JSON.stringify(body.to)}`);
    if (!body.call_hook) {
      return badRequest(c, "either call_hook or application_sid required (the emulator has no applications)");
    }
    for (const [name, hook] of [
      ["call_hook", body.call_hook],
      ["call_status_hook", body.call_status_hook],
    ] as const) {
      if (hook && !isAbsoluteHookUrl(hookUrl(hook))) return badRequest(c, `${name} url be an absolute url`);
    }
    if (body.amd) {
      const problems = componentProblems("amd", body.amd);
      if (problems.length > 0) return badRequest(c, `invalid amd: ${problems.join("; ")}`);
    }
    const call = startCall({
      direction: "outbound",
      from: body.from,
      to,
      callHook: body.call_hook,
      callStatusHook: body.call_status_hook,
      applicationSid: body.application_sid,
      tag: body.tag,
      amd: body.amd,
      ringTimeoutSeconds: body.timeout,
      persona: personaForNumber(to),
    });
    return c.json({ sid: call.sid }, 201);
  });

  app.get("/v1/Accounts/:accountSid/Calls", (c) => {
    if (c.req.param("accountSid") !== accountSid) return c.json([], 200);
    return c.json([...calls.values()].filter((call) => !call.ended).map((call) => call.callInfo()));
  });

  app.get("/v1/Accounts/:accountSid/Calls/:callSid", (c) => {
    const call = liveCall(c);
    return call ? c.json(call.callInfo()) : c.body(null, 404);
  });

  const updateCall = async (c: Context) => {
    const parsed = updateCallSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return badRequest(c, `invalid updateCall request: ${z.prettifyError(parsed.error)}`);
    const body = parsed.data;
    const updates = ["call_hook", "child_call_hook", "call_status", "listen_status", "mute_status"].filter(
      (key) => body[key] !== undefined,
    );
    if (updates.length === 0 && body.whisper === undefined)
      return badRequest(c, "no valid options supplied to updateCall");
    if (updates.length > 1 && !(updates.length === 2 && body.call_hook && body.child_call_hook)) {
      return badRequest(c, "multiple options are not allowed in updateCall");
    }
    if (body.call_status && !["completed", "no-answer"].includes(body.call_status)) {
      return badRequest(c, "invalid call_status");
    }
    const call = liveCall(c);
    if (!call) return c.body(null, 404);
    if (body.call_status) call.terminate();
    else if (body.call_hook) call.redirectTo(body.call_hook);
    else call.history.notes.push(`updateCall ${JSON.stringify(body)} accepted, not simulated`);
    return c.body(null, 202);
  };
  app.put("/v1/Accounts/:accountSid/Calls/:callSid", updateCall);
  // jambonz still accepts the legacy POST form.
  app.post("/v1/Accounts/:accountSid/Calls/:callSid", updateCall);

  app.delete("/v1/Accounts/:accountSid/Calls/:callSid", (c) => {
    const call = liveCall(c);
    if (!call) return c.body(null, 404);
    call.terminate();
    return c.body(null, 204);
  });

  app.get("/v1/Accounts/:accountSid/CallCount", (c) => {
    const live = [...calls.values()].filter((call) => !call.ended);
    const count = (direction: string) => live.filter((call) => call.request.direction === direction).length;
    return c.json({ inbound: count("inbound"), outbound: count("outbound") });
  });

  // Emulator-only routes.
  app.post("/emulator/inbound", async (c) => {
    const parsed = inboundSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return badRequest(c, `invalid inbound call: ${z.prettifyError(parsed.error)}`);
    const body = parsed.data;
    if (!isAbsoluteHookUrl(hookUrl(body.call_hook))) return badRequest(c, "call_hook url be an absolute url");
    const call = startCall({
      direction: "inbound",
      from: body.from,
      to: body.to,
      callHook: body.call_hook,
      callStatusHook: body.call_status_hook,
      applicationSid: body.application_sid,
      persona: personaForNumber(body.from),
    });
    return c.json({ sid: call.sid }, 201);
  });

  app.get("/emulator/calls", (c) => c.json([...calls.values()].map((call) => call.snapshot())));

  app.get("/emulator/calls/:callSid", (c) => {
    const call = calls.get(c.req.param("callSid"));
    return call ? c.json(call.snapshot()) : c.json({ msg: "no such call" }, 404);
  });

  /** Forgets finished calls, so a test can start from a clean list. */
  app.post("/emulator/reset", (c) => {
    for (const [sid, call] of calls) if (call.ended) calls.delete(sid);
    return c.body(null, 204);
  });

  return {
    fetch: app.fetch,
    calls,
    settings,
    /** Ends every timer and stream; no more webhooks go out. */
    dispose(): void {
      for (const call of calls.values()) call.dispose();
    },
  };
}

export type Emulator = ReturnType<typeof createEmulator>;

/** Runs the emulator on a port (0 picks a free one); resolves once it listens. */
export async function startEmulatorServer(
  options: EmulatorOptions & { port?: number; hostname?: string },
): Promise<{ emulator: Emulator; url: string; close(): Promise<void> }> {
  const hostname = options.hostname ?? "127.0.0.1";
  let emulator: Emulator | undefined;
  const { server, port } = await new Promise<{ server: ReturnType<typeof serve>; port: number }>((resolve) => {
    // The app needs the port (for api_base_url), so it is created once the server listens.
    const fetch = (request: Request) => (emulator ? emulator.fetch(request) : new Response(null, { status: 503 }));
    const server = serve({ fetch, hostname, port: options.port ?? 0 }, (info) => resolve({ server, port: info.port }));
  });
  const url = `http://${hostname}:${port}`;
  emulator = createEmulator({ ...options, publicUrl: options.publicUrl ?? url });
  const running = emulator;
  return {
    emulator: running,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        running.dispose();
        server.close(() => resolve());
      }),
  };
}
