import { beforeAll, describe, expect, inject, it } from "vitest";
import { signInternalRequest } from "../schema/src/internal-signature.js";
import { firstRow, useDatabase } from "./support/database.js";
import { type RestResponse, rest } from "./support/http.js";

/**
 * The edge's internal call API, driven as the media node drives it (schema/src/internal/calls.ts): call
 * events (status, AMD, turns) applied once each, the agent-turn endpoint running the demo scenario, and
 * inbound calls. Fixtures go straight into the database; campaigns stay `pending` so no dialer touches them.
 */

const UNKNOWN_UUID = "00000000-0000-4000-8000-000000000000";
const NO_ANSWER_DELAY_S = 1800;
const BUSY_DELAY_S = 300;

type Ids = { orgId: string; accountId: string; agentId: string };
type CallRow = {
  status: string;
  result: string | null;
  amd_result: string | null;
  attempts: number;
  duration_ms: number | null;
  next_attempt_at: Date | null;
  answered_at: Date | null;
  ended_at: Date | null;
  started_at: Date | null;
  jambonz_call_sid: string | null;
  hangup_cause: string | null;
  sentiment: string | null;
  summary: string | null;
  key_phrases: string[];
  metadata: { conversation?: Record<string, unknown>; analysis?: Record<string, unknown> };
};

const database = useDatabase();
let demo: Ids;
let acme: Ids;
let llmAgentId: string;

const one = <T = { id: string }>(text: string, values: unknown[] = []) => firstRow<T>(database(), text, values);

function uniquePhone(): string {
  return `+336${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;
}

async function signedPost(path: string, body: unknown, options: { secret?: string } = {}): Promise<RestResponse> {
  const text = JSON.stringify(body);
  const signature = await signInternalRequest({
    secret: options.secret ?? inject("internalApiSecret"),
    method: "POST",
    path,
    body: text,
  });
  return rest("POST", path, { headers: { "content-type": "application/json", ...signature }, rawBody: text });
}

/** A fresh pending campaign (max_retries → max_attempts = retries + 1) with one call per phone. */
async function campaignWithCall(
  ids: Ids,
  settings: { maxRetries?: number; retryEnabled?: boolean; agentId?: string } = {},
): Promise<{ campaignId: string; callId: string }> {
  const maxRetries = settings.maxRetries ?? 2;
  const campaign = await one(
    `insert into campaigns (org_id, account_id, agent_id, name, retry_enabled, max_retries)
     values ($1, $2, $3, 'Internal calls test', $4, $5) returning id`,
    [ids.orgId, ids.accountId, settings.agentId ?? ids.agentId, settings.retryEnabled ?? true, maxRetries],
  );
  const call = await one(
    `insert into calls (org_id, campaign_id, agent_id, account_id, to_number, status, max_attempts)
     values ($1, $2, $3, $4, $5, 'pending', $6) returning id`,
    [ids.orgId, campaign.id, settings.agentId ?? ids.agentId, ids.accountId, uniquePhone(), maxRetries + 1],
  );
  return { campaignId: campaign.id, callId: call.id };
}

const readCall = (callId: string) => one<CallRow>("select * from calls where id = $1", [callId]);

/** Builds the media node's reports for one call; every report has the key the media node derives. */
function reporter(callId: string, attempt = 1) {
  let clock = Date.parse("2025-03-01T10:00:00Z");
  const base = (key: string) => {
    clock += 1000;
    return {
      idempotency_key: `${callId}:${attempt}:${key}`,
      occurred_at: new Date(clock).toISOString(),
      attempt,
      jambonz_call_sid: `sid-${callId}-${attempt}`,
    };
  };
  const post = (body: unknown) => signedPost(`/internal/v1/calls/${callId}/events`, body);
  return {
    status: (status: string, extra: Record<string, unknown> = {}) =>
      post({ ...base(`status:${status}`), type: "status", status, ...extra }),
    amd: (verdict: string) => post({ ...base("amd"), type: "amd", verdict }),
    turn: (sequence: number, speaker: string, text: string, extra: Record<string, unknown> = {}) =>
      post({ ...base(`turn:${sequence}`), type: "turn", sequence, speaker, text, ...extra }),
    raw: post,
  };
}

function agentTurn(callId: string, input: unknown, attempt = 1): Promise<RestResponse> {
  return signedPost(`/internal/v1/calls/${callId}/turn`, { attempt, input });
}

async function expectApplied(response: Promise<RestResponse>, applied = true): Promise<void> {
  const result = await response;
  expect(result.status, result.text).toBe(200);
  expect(result.body).toEqual({ applied });
}

async function orgIds(slug: string, agentSlug: string | null): Promise<Ids> {
  const orgId = (await one("select id from organisations where slug = $1", [slug])).id;
  const suffix = crypto.randomUUID().slice(0, 8);
  const account = await one(
    "insert into accounts (org_id, code, name) values ($1, $2, 'Internal calls test') returning id",
    [orgId, `calls_${suffix}`],
  );
  const agent = agentSlug
    ? await one("select id from agents where org_id = $1 and slug = $2", [orgId, agentSlug])
    : await one(
        `insert into agents (org_id, slug, name, kind, mode, language, scenario) values ($1, $2, 'Acme agent', 'voice',
         'scenario', 'en', '{"name":"acme","steps":{"hi":{"message_text":"Hello from Acme.","intent_mapping":{"*":"bye"}},
         "bye":{"message_text":"Bye.","is_terminal":true,"result":"lead"}}}') returning id`,
        [orgId, `calls_${suffix}`],
      );
  return { orgId, accountId: account.id, agentId: agent.id };
}

beforeAll(async () => {
  demo = await orgIds("demo", "scenario_test_demo");
  acme = await orgIds("acme", null);
  llmAgentId = (await one("select id from agents where org_id = $1 and slug = 'support_agent_llm'", [demo.orgId])).id;
});

describe("a call from dial to completion", () => {
  it("applies status, AMD and turns, runs the scenario and analyses the completed call", async () => {
    const { callId } = await campaignWithCall(demo);
    const line = reporter(callId);

    await expectApplied(line.status("calling"));
    expect(await readCall(callId)).toMatchObject({
      status: "calling",
      attempts: 1,
      jambonz_call_sid: `sid-${callId}-1`,
    });
    await expectApplied(line.status("ringing"));
    await expectApplied(line.status("in_progress"));
    await expectApplied(line.amd("human"));
    const answered = await readCall(callId);
    expect(answered).toMatchObject({ status: "in_progress", amd_result: "human" });
    expect(answered.answered_at).not.toBeNull();

    const greeting = await agentTurn(callId, { kind: "start" });
    expect(greeting.status, greeting.text).toBe(200);
    expect(greeting.body).toMatchObject({
      say: "Bonjour, ici l'assistant de démonstration Switchboard. Avez-vous une minute ?",
      action: "continue",
      transfer_to: null,
      gather_timeout_s: 8,
      barge_in: true,
      step: "hello",
      intent: null,
      speech: {
        synthesizer: { vendor: "google", language: "fr-FR", voice: null },
        recognizer: { vendor: "google", language: "fr-FR" },
      },
    });
    const hints = (greeting.body as { speech: { recognizer: { hints: string[] } } }).speech.recognizer.hints;
    expect(hints).toEqual(expect.arrayContaining(["oui", "non"]));
    await expectApplied(line.turn(0, "agent", (greeting.body as { say: string }).say));

    const offer = await agentTurn(callId, { kind: "speech", transcript: "Oui, bien sûr", confidence: 0.92 });
    expect(offer.body).toMatchObject({ step: "offer", intent: "yes", action: "continue", gather_timeout_s: 10 });
    await expectApplied(line.turn(1, "contact", "Oui, bien sûr", { intent: "yes", confidence: 0.92, latency_ms: 310 }));
    await expectApplied(line.turn(2, "agent", (offer.body as { say: string }).say));

    const lead = await agentTurn(callId, { kind: "speech", transcript: "Oui, volontiers, merci", confidence: 0.88 });
    expect(lead.body).toMatchObject({ step: "lead", intent: "yes", action: "hangup" });
    await expectApplied(line.turn(3, "contact", "Oui, volontiers, merci", { intent: "yes", confidence: 0.88 }));
    await expectApplied(line.turn(4, "agent", (lead.body as { say: string }).say));

    await expectApplied(line.status("completed", { duration_ms: 42_000, hangup_cause: "normal_clearing" }));
    const done = await readCall(callId);
    expect(done).toMatchObject({
      status: "completed",
      result: "lead",
      duration_ms: 42_000,
      hangup_cause: "normal_clearing",
      attempts: 1,
      sentiment: "positive",
      next_attempt_at: null,
    });
    expect(done.ended_at).not.toBeNull();
    expect(done.summary).toMatch(/result lead \(scenario:outcome\)/);
    expect(done.key_phrases).toEqual(expect.arrayContaining(["oui", "volontiers"]));
    expect(done.metadata.conversation).toMatchObject({ step: "lead", outcome: "lead", ended: true });
    expect(done.metadata.analysis).toMatchObject({ method: "rules:v1", result_rule: "scenario:outcome" });

    const { rows: turns } = await database().query(
      "select sequence, speaker, text, intent from call_turns where call_id = $1 order by sequence",
      [callId],
    );
    expect(turns.map((turn) => [turn.sequence, turn.speaker])).toEqual([
      [0, "agent"],
      [1, "contact"],
      [2, "agent"],
      [3, "contact"],
      [4, "agent"],
    ]);
    expect(turns[1]).toMatchObject({ text: "Oui, bien sûr", intent: "yes" });
    const attempt = await one<{ status: string; duration_ms: number; amd_result: string; jambonz_call_sid: string }>(
      "select * from call_attempts where call_id = $1 and attempt_number = 1",
      [callId],
    );
    expect(attempt).toMatchObject({
      status: "completed",
      duration_ms: 42_000,
      amd_result: "human",
      jambonz_call_sid: `sid-${callId}-1`,
    });
  });

  it("ignores replayed reports: nothing is applied or counted twice", async () => {
    const { callId } = await campaignWithCall(demo);
    const line = reporter(callId);
    // Sent one after another, as the media node's per-call lane does: each report starts only when called.
    const first = [
      () => line.status("calling"),
      () => line.status("in_progress"),
      () => line.amd("human"),
      () => line.turn(0, "contact", "Allô ?"),
      () => line.status("completed", { duration_ms: 5000 }),
    ];
    for (const report of first) await expectApplied(report());
    const again = reporter(callId);
    await expectApplied(again.status("calling"), false);
    await expectApplied(again.status("in_progress"), false);
    await expectApplied(again.amd("human"), false);
    await expectApplied(again.turn(0, "contact", "Allô ?"), false);
    await expectApplied(again.status("completed", { duration_ms: 9999 }), false);
    // Another key for a sequence already stored is still the same turn.
    await expectApplied(again.raw({ ...turnBody(0), idempotency_key: `${callId}:other` }), false);

    expect(await readCall(callId)).toMatchObject({ status: "completed", duration_ms: 5000, attempts: 1 });
    const counts = await one<{ events: number; turns: number; attempts: number }>(
      `select (select count(*)::int from call_events where call_id = $1) as events,
              (select count(*)::int from call_turns where call_id = $1) as turns,
              (select count(*)::int from call_attempts where call_id = $1) as attempts`,
      [callId],
    );
    expect(counts).toEqual({ events: 6, turns: 1, attempts: 1 });
  });

  it("applies a batch of reports in order and once; a batch with a bad report applies none of it", async () => {
    const { callId } = await campaignWithCall(demo);
    const report = (key: string, at: number, fields: Record<string, unknown>) => ({
      idempotency_key: `${callId}:1:${key}`,
      occurred_at: new Date(Date.parse("2025-03-01T10:00:00Z") + at * 1000).toISOString(),
      attempt: 1,
      jambonz_call_sid: `sid-${callId}-1`,
      ...fields,
    });
    const events = [
      report("status:in_progress", 1, { type: "status", status: "in_progress" }),
      report("turn:0", 2, { type: "turn", sequence: 0, speaker: "contact", text: "Allô ?" }),
      report("status:completed", 3, { type: "status", status: "completed", duration_ms: 2000 }),
    ];
    const batch = (body: unknown) => signedPost(`/internal/v1/calls/${callId}/events/batch`, body);

    const bad = await batch({ events: [...events.slice(0, 2), { ...events[2], status: "exploded" }] });
    expect(bad.status, bad.text).toBe(422);
    expect(await readCall(callId)).toMatchObject({ status: "pending" });

    const applied = await batch({ events });
    expect(applied.status, applied.text).toBe(200);
    expect(applied.body).toEqual({ applied: [true, true, true] });
    expect(await readCall(callId)).toMatchObject({ status: "completed", duration_ms: 2000 });
    const replay = await batch({ events });
    expect(replay.body).toEqual({ applied: [false, false, false] });
    expect((await batch({ events: [] })).status).toBe(422);
  });

  it("keeps a late ringing after completion in the log without moving the call back", async () => {
    const { callId } = await campaignWithCall(demo);
    const line = reporter(callId);
    await expectApplied(line.status("calling"));
    await expectApplied(line.status("in_progress"));
    await expectApplied(line.status("completed", { duration_ms: 3000 }));
    await expectApplied(line.status("ringing"), false);
    expect(await readCall(callId)).toMatchObject({ status: "completed", duration_ms: 3000 });
    const logged = await one<{ count: number }>(
      "select count(*)::int as count from call_events where call_id = $1 and payload->>'status' = 'ringing'",
      [callId],
    );
    expect(logged.count).toBe(1);
  });

  it("records the jambonz sid of a dial the dialer already marked calling, once", async () => {
    const { callId } = await campaignWithCall(demo);
    // What the dialer writes when it claims the call.
    await database().query("update calls set status = 'calling', attempts = 1 where id = $1", [callId]);
    await database().query(
      `insert into call_attempts (org_id, call_id, attempt_number, to_number, status)
       select org_id, id, 1, to_number, 'calling' from calls where id = $1`,
      [callId],
    );
    const line = reporter(callId);
    await expectApplied(line.status("calling"));
    await expectApplied(line.raw({ ...lateRinging(callId, 1), status: "calling" }), false);
    const attempt = await one<{ jambonz_call_sid: string }>(
      "select jambonz_call_sid from call_attempts where call_id = $1",
      [callId],
    );
    expect(attempt.jambonz_call_sid).toBe(`sid-${callId}-1`);
    expect(await readCall(callId)).toMatchObject({ status: "calling", jambonz_call_sid: `sid-${callId}-1` });
  });

  it("derives the talk time from the answer when the final report has none", async () => {
    const { callId } = await campaignWithCall(demo);
    const line = reporter(callId);
    await expectApplied(line.status("in_progress"));
    await expectApplied(line.status("completed"));
    // The reporter's clock moves one second per report.
    expect((await readCall(callId)).duration_ms).toBe(1000);
  });

  it("re-analyses when the last words arrive after the hangup", async () => {
    const { callId } = await campaignWithCall(demo);
    const line = reporter(callId);
    await expectApplied(line.status("in_progress"));
    await expectApplied(line.status("completed", { duration_ms: 4000 }));
    expect(await readCall(callId)).toMatchObject({ result: "no_answer" });
    await expectApplied(line.turn(0, "contact", "Vous faites erreur, c'est un mauvais numéro"));
    expect(await readCall(callId)).toMatchObject({ result: "wrong_number", sentiment: "negative" });
  });

  it("marks a failed dial failed without retrying it", async () => {
    const { callId } = await campaignWithCall(demo);
    await expectApplied(reporter(callId).status("failed", { sip_status: 503, hangup_cause: "service unavailable" }));
    expect(await readCall(callId)).toMatchObject({ status: "failed", result: "failed", next_attempt_at: null });
  });
});

function turnBody(sequence: number) {
  return {
    idempotency_key: "replaced",
    occurred_at: new Date().toISOString(),
    attempt: 1,
    jambonz_call_sid: null,
    type: "turn",
    sequence,
    speaker: "contact",
    text: "Allô ?",
  };
}

describe("partial transcripts", () => {
  const partial = (callId: string, body: Record<string, unknown>) =>
    signedPost(`/internal/v1/calls/${callId}/partial-transcripts`, {
      attempt: 1,
      sequence: 1,
      text: "Oui, ça",
      occurred_at: new Date().toISOString(),
      ...body,
    });

  it("publishes a talking call's partial transcript, stores nothing, and drops one of another attempt", async () => {
    const { callId } = await campaignWithCall(demo);
    const line = reporter(callId);
    expect((await partial(callId, {})).body).toEqual({ published: false });
    await expectApplied(line.status("calling"));
    await expectApplied(line.status("in_progress"));
    expect((await partial(callId, {})).body).toEqual({ published: true });
    expect((await partial(callId, { attempt: 2 })).body).toEqual({ published: false });
    expect((await one<{ n: number }>("select count(*)::int as n from call_turns where call_id = $1", [callId])).n).toBe(
      0,
    );
  });

  it("answers 422 for a bad partial transcript and 404 for an unknown call", async () => {
    const { callId } = await campaignWithCall(demo);
    const bad = await partial(callId, { text: "" });
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({ error: { code: "VALIDATION_ERROR" } });
    expect((await partial(crypto.randomUUID(), {})).status).toBe(404);
    expect((await partial("not-a-call", {})).status).toBe(404);
  });
});

describe("retries", () => {
  it("schedules a no-answer retry after the no-answer delay, then ends no_answer after max_attempts", async () => {
    const { callId } = await campaignWithCall(demo, { maxRetries: 1 });
    const first = reporter(callId, 1);
    await expectApplied(first.status("calling"));
    await expectApplied(first.status("ringing"));
    const before = Date.now();
    await expectApplied(first.status("no_answer", { hangup_cause: "no answer" }));
    const after = Date.now();
    const scheduled = await readCall(callId);
    expect(scheduled).toMatchObject({ status: "scheduled", result: null, attempts: 1 });
    expectBetween(scheduled.next_attempt_at, before + NO_ANSWER_DELAY_S * 1000, after + NO_ANSWER_DELAY_S * 1000);

    // A late report of the first dial changes nothing.
    await expectApplied(first.raw({ ...lateRinging(callId, 1) }), false);
    expect((await readCall(callId)).status).toBe("scheduled");

    const second = reporter(callId, 2);
    await expectApplied(second.status("calling"));
    expect(await readCall(callId)).toMatchObject({ status: "calling", attempts: 2, next_attempt_at: null });
    await expectApplied(second.status("no_answer"));
    expect(await readCall(callId)).toMatchObject({
      status: "no_answer",
      result: "no_answer",
      attempts: 2,
      next_attempt_at: null,
    });
    const { rows } = await database().query(
      "select attempt_number, status from call_attempts where call_id = $1 order by attempt_number",
      [callId],
    );
    expect(rows).toEqual([
      { attempt_number: 1, status: "no_answer" },
      { attempt_number: 2, status: "no_answer" },
    ]);
  });

  it("retries busy after the 5-minute busy delay; busy counts as no answer at the end", async () => {
    const { callId } = await campaignWithCall(demo, { maxRetries: 1 });
    const before = Date.now();
    await expectApplied(reporter(callId, 1).status("busy", { sip_status: 486 }));
    const after = Date.now();
    const scheduled = await readCall(callId);
    expect(scheduled.status).toBe("scheduled");
    expectBetween(scheduled.next_attempt_at, before + BUSY_DELAY_S * 1000, after + BUSY_DELAY_S * 1000);
    await expectApplied(reporter(callId, 2).status("busy"));
    expect(await readCall(callId)).toMatchObject({ status: "busy", result: "no_answer", attempts: 2 });
  });

  it("does not retry when the campaign disabled retries", async () => {
    const { callId } = await campaignWithCall(demo, { retryEnabled: false });
    await expectApplied(reporter(callId).status("no_answer"));
    expect(await readCall(callId)).toMatchObject({ status: "no_answer", result: "no_answer" });
  });
});

function lateRinging(callId: string, attempt: number) {
  return {
    idempotency_key: `${callId}:${attempt}:status:ringing:late`,
    occurred_at: new Date().toISOString(),
    attempt,
    jambonz_call_sid: null,
    type: "status",
    status: "ringing",
  };
}

function expectBetween(value: Date | null, low: number, high: number): void {
  expect(value).not.toBeNull();
  const time = (value as Date).getTime();
  expect(time).toBeGreaterThanOrEqual(low - 1000);
  expect(time).toBeLessThanOrEqual(high + 1000);
}

describe("answering machines", () => {
  it("leaves the voicemail message and ends as answering_machine", async () => {
    const { callId } = await campaignWithCall(demo);
    const line = reporter(callId);
    await expectApplied(line.status("in_progress"));
    await expectApplied(line.amd("machine"));
    const voicemail = await agentTurn(callId, { kind: "voicemail" });
    expect(voicemail.status, voicemail.text).toBe(200);
    expect(voicemail.body).toMatchObject({
      action: "hangup",
      say: expect.stringMatching(/^Bonjour, nous avons essayé/),
    });
    await expectApplied(line.turn(0, "agent", (voicemail.body as { say: string }).say));
    await expectApplied(line.status("completed", { duration_ms: 12_000 }));
    expect(await readCall(callId)).toMatchObject({
      status: "completed",
      result: "answering_machine",
      amd_result: "machine",
    });
  });

  it("a verdict that lands after completion still decides the result", async () => {
    const { callId } = await campaignWithCall(demo);
    const line = reporter(callId);
    await expectApplied(line.status("in_progress"));
    await expectApplied(line.status("completed", { duration_ms: 8000 }));
    await expectApplied(line.amd("machine"));
    expect(await readCall(callId)).toMatchObject({ result: "answering_machine", amd_result: "machine" });
  });
});

describe("the agent turn", () => {
  it("re-prompts on silence, then says goodbye", async () => {
    const { callId } = await campaignWithCall(demo);
    await agentTurn(callId, { kind: "start" });
    const first = await agentTurn(callId, { kind: "silence" });
    expect(first.body).toMatchObject({
      action: "continue",
      step: "hello",
      say: expect.stringMatching(/^Je ne vous ai pas entendu/),
    });
    await agentTurn(callId, { kind: "silence" });
    const last = await agentTurn(callId, { kind: "silence" });
    expect(last.body).toMatchObject({ action: "hangup" });
  });

  it("takes DTMF: 2 means no", async () => {
    const { callId } = await campaignWithCall(demo);
    await agentTurn(callId, { kind: "start" });
    const reply = await agentTurn(callId, { kind: "dtmf", digits: "2" });
    expect(reply.body).toMatchObject({ step: "not_interested", intent: "no", action: "hangup" });
  });

  it("starts a new conversation for a new dial", async () => {
    const { callId } = await campaignWithCall(demo);
    await agentTurn(callId, { kind: "start" });
    await agentTurn(callId, { kind: "speech", transcript: "non", confidence: null });
    const retry = await agentTurn(callId, { kind: "start" }, 2);
    expect(retry.body).toMatchObject({ step: "hello", action: "continue" });
  });

  it("refuses an LLM agent while no LLM is configured", async () => {
    const { callId } = await campaignWithCall(demo, { agentId: llmAgentId });
    const reply = await agentTurn(callId, { kind: "start" });
    expect(reply.status, reply.text).toBe(409);
    expect(reply.body).toMatchObject({ error: { code: "CONFLICT", message: expect.stringContaining("LLM_BASE_URL") } });
  });

  it("answers 422 for a bad input and 404 for an unknown call", async () => {
    const { callId } = await campaignWithCall(demo);
    const bad = await agentTurn(callId, { kind: "shout" });
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({ error: { code: "VALIDATION_ERROR" } });
    expect((await agentTurn(UNKNOWN_UUID, { kind: "start" })).status).toBe(404);
  });
});

describe("refusals", () => {
  it("refuses unsigned and wrongly signed requests with 401", async () => {
    const { callId } = await campaignWithCall(demo);
    const path = `/internal/v1/calls/${callId}/events`;
    const body = lateRinging(callId, 1);
    const unsigned = await rest("POST", path, { body });
    expect(unsigned.status).toBe(401);
    const forged = await signedPost(path, body, { secret: "x".repeat(48) });
    expect(forged.status).toBe(401);
    expect(forged.body).toMatchObject({ error: { code: "INVALID_SIGNATURE" } });
    expect((await signedPost("/internal/v1/inbound-calls", {}, { secret: "y".repeat(48) })).status).toBe(401);
    expect((await readCall(callId)).status).toBe("pending");
  });

  it("answers 422 in the default envelope for a bad event and 404 for an unknown call", async () => {
    const { callId } = await campaignWithCall(demo);
    const bad = await signedPost(`/internal/v1/calls/${callId}/events`, { type: "status", status: "exploded" });
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({
      error: {
        code: "VALIDATION_ERROR",
        details: expect.arrayContaining([expect.objectContaining({ path: expect.any(Array) })]),
      },
    });
    const notJson = await rest("POST", `/internal/v1/calls/${callId}/events`, {
      headers: {
        "content-type": "application/json",
        ...(await signInternalRequest({
          secret: inject("internalApiSecret"),
          method: "POST",
          path: `/internal/v1/calls/${callId}/events`,
          body: "{oops",
        })),
      },
      rawBody: "{oops",
    });
    expect(notJson.status).toBe(422);
    expect((await reporter(UNKNOWN_UUID).status("calling")).status).toBe(404);
    expect((await reporter("not-a-uuid").status("calling")).status).toBe(404);
  });
});

describe("organisations", () => {
  it("applies a report to the call's own organisation only; keys are per organisation", async () => {
    const ours = await campaignWithCall(demo);
    const theirs = await campaignWithCall(acme);
    const sharedKey = `shared-key-${crypto.randomUUID()}`;
    const status = (callId: string) =>
      signedPost(`/internal/v1/calls/${callId}/events`, {
        idempotency_key: sharedKey,
        occurred_at: new Date().toISOString(),
        attempt: 1,
        jambonz_call_sid: null,
        type: "status",
        status: "ringing",
      });
    await expectApplied(status(theirs.callId));
    await expectApplied(status(ours.callId));
    const { rows } = await database().query("select org_id, call_id from call_events where idempotency_key = $1", [
      sharedKey,
    ]);
    expect(rows).toHaveLength(2);
    expect(rows.find((row) => row.call_id === theirs.callId)?.org_id).toBe(acme.orgId);
    expect(rows.find((row) => row.call_id === ours.callId)?.org_id).toBe(demo.orgId);

    const reply = await agentTurn(theirs.callId, { kind: "start" });
    expect(reply.body).toMatchObject({ say: "Hello from Acme.", speech: { synthesizer: { language: "en-US" } } });
    await expectApplied(reporter(theirs.callId).status("completed", { duration_ms: 1000 }));
    expect(await readCall(ours.callId)).toMatchObject({ status: "ringing", result: null });
    const attemptOrgs = await one<{ org_id: string }>("select org_id from call_attempts where call_id = $1", [
      theirs.callId,
    ]);
    expect(attemptOrgs.org_id).toBe(acme.orgId);
  });
});

describe("inbound calls", () => {
  it("gives the dialled number's organisation and agent a new in-progress call, once per jambonz call", async () => {
    const sid = `inbound-${crypto.randomUUID()}`;
    const request = { to: "+33900000001", from: "+33612345678", jambonz_call_sid: sid };
    const response = await signedPost("/internal/v1/inbound-calls", request);
    expect(response.status, response.text).toBe(200);
    const { call_id: callId, org_id: orgId } = response.body as { call_id: string; org_id: string };
    expect(orgId).toBe(demo.orgId);
    const call = await one<CallRow & { direction: string; agent_id: string; from_number: string; to_number: string }>(
      "select * from calls where id = $1",
      [callId],
    );
    expect(call).toMatchObject({
      direction: "inbound",
      agent_id: demo.agentId,
      from_number: "+33612345678",
      to_number: "+33900000001",
      status: "in_progress",
      jambonz_call_sid: sid,
    });

    const again = await signedPost("/internal/v1/inbound-calls", { ...request, to: "33900000001" });
    expect(again.body).toEqual({ call_id: callId, org_id: orgId });

    const greeting = await agentTurn(callId, { kind: "start" });
    expect(greeting.body).toMatchObject({ step: "hello", action: "continue" });
  });

  it("answers 404 for a number nobody owns and 422 for a bad request", async () => {
    const unknown = await signedPost("/internal/v1/inbound-calls", {
      to: "+33999999999",
      from: "+33612345678",
      jambonz_call_sid: `inbound-${crypto.randomUUID()}`,
    });
    expect(unknown.status).toBe(404);
    expect((await signedPost("/internal/v1/inbound-calls", { to: "+33900000001" })).status).toBe(422);
  });
});
