import type { Client } from "graphql-sse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lineProgress } from "../edge/src/calls/line-status.js";
import type { PersonaName } from "../media-node/src/emulator/personas.js";
import { bearer, registerUser } from "./support/accounts.js";
import {
  apiKey,
  callsOfCampaign,
  campaignAction,
  createCampaign,
  createPersonaContacts,
  pollUntil,
  waitForCampaignStatus,
} from "./support/calls.js";
import { firstRow, useDatabase } from "./support/database.js";
import { graphql } from "./support/http.js";
import {
  ACTIVITY,
  CALL_UPDATED,
  codes,
  type Feed,
  globalId,
  hubStats,
  listen,
  PROGRESS,
  refusal,
  SSE_MODES,
  type SseMode,
  sseClient,
  TRANSCRIPT,
} from "./support/subscriptions.js";

/**
 * GraphQL subscriptions over SSE fed by the organisation's EventHub, in both graphql-sse modes (distinct
 * connections: Yoga's built-in transport; single connection: a StreamSession Durable Object per stream): a small
 * campaign dialled on the emulator reaches its subscribers in order, another organisation hears nothing, foreign
 * and anonymous subscriptions are refused, and a disconnect frees the hub.
 */

const database = useDatabase();
const PERSONAS: PersonaName[] = ["interested", "not_interested", "voicemail", "no_answer"];
const FINAL = new Set(["completed", "failed", "no_answer", "busy", "cancelled"]);

type CallUpdate = {
  callId: string;
  campaignId: string;
  status: string;
  result: string | null;
  amdResult: string | null;
};
type Progress = { total: number; completed: number; inProgress: number; pending: number; lastUpdate: string };
type Activity = { kind: string; campaignId: string | null; callId: string | null };
type Turn = { callId: string; sequence: number; speaker: string; text: string; spokenAt: string; final: boolean };

/** How each mode refuses an anonymous client: a GraphQL error on its stream, or a 401 when reserving the stream. */
const ANONYMOUS_REFUSAL: Record<SseMode, string> = { distinct: "UNAUTHENTICATED", single: "HTTP 401" };
/** Distinct phone tags, so each mode dials its own contacts. */
const CONTACT_TAG: Record<SseMode, string> = { distinct: "73", single: "74" };

describe.each(SSE_MODES)("live subscriptions over SSE (%s connection mode)", (mode) => {
  let demoOrgId = "";
  let otherOrgId = "";
  let campaignGlobalId = "";
  let interestedCallId = "";
  let demo: Client;
  let other: Client;
  let calls: Feed<CallUpdate>;
  let progress: Feed<Progress>;
  let activity: Feed<Activity>;
  let transcript: Feed<Turn>;
  let othersActivity: Feed<Activity>;
  let finalCalls: Array<{ id: string; status: string; result: string | null; phone: string }> = [];
  let subscribedWhileRunning = 0;

  beforeAll(async () => {
    demoOrgId = (await firstRow<{ id: string }>(database(), "select id from organisations where slug = 'demo'")).id;
    const user = await registerUser("subscriber");
    other = sseClient(bearer(user.accessToken), mode);
    const viewer = await graphql<{ viewer: { organization: { id: string } } }>(
      "{ viewer { organization { id } } }",
      undefined,
      bearer(user.accessToken),
    );
    otherOrgId = viewer.body.data?.viewer.organization.id ?? "";
    demo = sseClient(apiKey(), mode);

    const contacts = await createPersonaContacts(database(), CONTACT_TAG[mode], PERSONAS);
    const number = await createCampaign({
      name: `Live subscriptions (${mode})`,
      contact_ids: contacts.map((contact) => contact.number),
      max_concurrent_calls: 2,
      retry_enabled: false,
    });
    const campaignId = (
      await firstRow<{ id: string }>(database(), "select id from campaigns where number = $1", [number])
    ).id;
    campaignGlobalId = globalId("Campaign", campaignId);
    const interestedPhone = contacts.find((contact) => contact.persona === "interested")?.phone;
    interestedCallId = (
      await firstRow<{ id: string }>(
        database(),
        "select c.id from calls c join contacts k on k.id = c.contact_id where c.campaign_id = $1 and k.phone = $2",
        [campaignId, interestedPhone],
      )
    ).id;

    calls = listen<CallUpdate>(demo, "callUpdated", CALL_UPDATED, { campaignId: campaignGlobalId });
    progress = listen<Progress>(demo, "campaignProgress", PROGRESS, { campaignId: campaignGlobalId });
    activity = listen<Activity>(demo, "activity", ACTIVITY);
    transcript = listen<Turn>(demo, "callTranscript", TRANSCRIPT, { callId: globalId("Call", interestedCallId) });
    othersActivity = listen<Activity>(other, "activity", ACTIVITY);
    // Every subscription is registered with its hub before anything happens (campaignProgress sends its first figures).
    await pollUntil(
      async () => (await hubStats(demoOrgId)).subscribers,
      (count) => count >= 4,
      15_000,
    );
    await pollUntil(
      async () => (await hubStats(otherOrgId)).subscribers,
      (count) => count >= 1,
      15_000,
    );

    const startAt = Date.now();
    const started = await campaignAction(number, "start");
    const answeredAt = Date.now();
    if (started.status !== 200) throw new Error(`start refused: ${started.status} ${started.text}`);
    await pollUntil(
      async () => activity.events.find((event) => event.value.kind === "campaign_started"),
      (event) => event !== undefined,
      10_000,
    ).then((event) =>
      console.info(
        `campaign_started received ${(event?.at ?? Number.NaN) - startAt} ms after the start request was sent ` +
          `(its response took ${answeredAt - startAt} ms)`,
      ),
    );
    await waitForCampaignStatus(number, "completed", 90_000);
    await pollUntil(
      async () => activity.events.some((event) => event.value.kind === "campaign_completed"),
      (done) => done,
      10_000,
    );
    subscribedWhileRunning = (await hubStats(demoOrgId)).subscribers;
    // Let the last coalesced figures arrive.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    finalCalls = (await callsOfCampaign(database(), number)).map((call) => ({
      id: call.id,
      status: call.status,
      result: call.result,
      phone: call.phone,
    }));
  }, 150_000);

  afterAll(() => {
    for (const feed of [calls, progress, activity, transcript, othersActivity]) feed?.stop();
    demo?.dispose();
    other?.dispose();
  });

  it("delivers every call's updates in order, from calling to its final state", () => {
    expect(calls.errors).toEqual([]);
    expect(finalCalls).toHaveLength(PERSONAS.length);
    for (const call of finalCalls) {
      const updates = calls.events
        .map((event) => event.value)
        .filter((update) => update.callId === globalId("Call", call.id));
      const statuses = updates.map((update) => update.status);
      expect(statuses[0], `first update of ${call.phone}`).toBe("calling");
      const last = updates.at(-1);
      expect({ status: last?.status, result: last?.result }, `last update of ${call.phone}`).toEqual({
        status: call.status,
        result: call.result,
      });
      const progressions = statuses.map((status) => lineProgress(status as never));
      expect(progressions, `order of ${call.phone}: ${statuses.join(" → ")}`).toEqual([...progressions].sort());
      expect(statuses.filter((status) => FINAL.has(status)).length).toBeLessThanOrEqual(1);
      for (const update of updates) expect(update.campaignId).toBe(campaignGlobalId);
    }
  });

  it("pushes campaign progress from the start to the end, at most four times a second", () => {
    expect(progress.errors).toEqual([]);
    const values = progress.events.map((event) => event.value);
    expect(values[0]).toMatchObject({ total: PERSONAS.length, completed: 0, inProgress: 0 });
    expect(values.at(-1)).toMatchObject({ total: PERSONAS.length, inProgress: 0, pending: 0 });
    expect(values.length).toBeGreaterThan(2);
    // After the first (computed on subscribing), the hub's computations are at least 250 ms apart: judged by
    // when each set of figures was computed, so a delay on the way cannot make the check flaky.
    const computedAt = progress.events.slice(1).map((event) => new Date(event.value.lastUpdate).getTime());
    for (let index = 1; index < computedAt.length; index++) {
      const gap = (computedAt[index] ?? 0) - (computedAt[index - 1] ?? 0);
      expect(gap, `gap before progress push ${index + 1}`).toBeGreaterThanOrEqual(250);
    }
  });

  it("feeds the organisation's activity: started, a lead found, completed", () => {
    expect(activity.errors).toEqual([]);
    const kinds = activity.events.map((event) => event.value.kind);
    expect(kinds[0]).toBe("campaign_started");
    expect(kinds.at(-1)).toBe("campaign_completed");
    const lead = activity.events.find((event) => event.value.kind === "lead_found");
    expect(lead?.value.callId).toBe(globalId("Call", interestedCallId));
    for (const event of activity.events) expect(event.value.campaignId).toBe(campaignGlobalId);
  });

  it("streams a call's transcript turn by turn, with the contact's partial transcripts", () => {
    expect(transcript.errors).toEqual([]);
    const turns = transcript.events.map((event) => event.value).filter((turn) => turn.final);
    expect(turns.length).toBeGreaterThanOrEqual(2);
    expect(turns.map((turn) => turn.sequence)).toEqual([...turns.map((turn) => turn.sequence)].sort((x, y) => x - y));
    expect(new Set(turns.map((turn) => turn.speaker))).toEqual(new Set(["agent", "contact"]));
    for (const turn of turns) expect(turn.callId).toBe(globalId("Call", interestedCallId));
    const partials = transcript.events.map((event) => event.value).filter((turn) => !turn.final);
    expect(partials.length).toBeGreaterThanOrEqual(1);
    // Partials travel outside the ordered report lane, so one may arrive after its final turn; a client keeps the
    // final (same sequence). Each is what the recogniser had heard of that final turn so far.
    for (const partial of partials) {
      const final = turns.find((turn) => turn.sequence === partial.sequence);
      expect(partial.speaker).toBe("contact");
      expect(final?.text.startsWith(partial.text), `"${partial.text}" begins turn ${partial.sequence}`).toBe(true);
    }
    const latencies = transcript.events
      .map((event) => event.at - new Date(event.value.spokenAt).getTime())
      .sort((a, b) => a - b);
    console.info(
      `transcript turn spoken → received: median ${latencies[Math.floor(latencies.length / 2)]} ms, max ${latencies.at(-1)} ms`,
    );
  });

  it("tells another organisation nothing about this campaign", () => {
    expect(othersActivity.errors).toEqual([]);
    expect(othersActivity.events).toEqual([]);
  });

  it("refuses a subscription to another organisation's campaign or call, as a query would", async () => {
    const foreignCampaign = listen(other, "callUpdated", CALL_UPDATED, { campaignId: campaignGlobalId });
    expect(codes(await refusal(foreignCampaign))).toEqual(["NOT_FOUND"]);
    const foreignProgress = listen(other, "campaignProgress", PROGRESS, { campaignId: campaignGlobalId });
    expect(codes(await refusal(foreignProgress))).toEqual(["NOT_FOUND"]);
    const foreignTranscript = listen(other, "callTranscript", TRANSCRIPT, {
      callId: globalId("Call", interestedCallId),
    });
    expect(codes(await refusal(foreignTranscript))).toEqual(["NOT_FOUND"]);
  });

  it("refuses callUpdated without exactly one of campaignId and callId", async () => {
    expect(codes(await refusal(listen(demo, "callUpdated", CALL_UPDATED, {})))).toEqual(["BAD_USER_INPUT"]);
    const both = listen(demo, "callUpdated", CALL_UPDATED, {
      campaignId: campaignGlobalId,
      callId: globalId("Call", interestedCallId),
    });
    expect(codes(await refusal(both))).toEqual(["BAD_USER_INPUT"]);
  });

  it("refuses an unauthenticated subscription", async () => {
    const anonymous = sseClient({}, mode);
    try {
      expect(codes(await refusal(listen(anonymous, "activity", ACTIVITY)))).toEqual([ANONYMOUS_REFUSAL[mode]]);
    } finally {
      anonymous.dispose();
    }
  });

  it("frees a subscription in the hub as soon as its client disconnects", async () => {
    expect(subscribedWhileRunning).toBeGreaterThanOrEqual(4);
    const before = (await hubStats(demoOrgId)).subscribers;
    const extra = listen(demo, "activity", ACTIVITY);
    await pollUntil(
      async () => (await hubStats(demoOrgId)).subscribers,
      (count) => count === before + 1,
      10_000,
    );
    const stoppedAt = Date.now();
    extra.stop();

    const after = await pollUntil(
      async () => (await hubStats(demoOrgId)).subscribers,
      (count) => count === before,
      5_000,
    );

    expect(after).toBe(before);
    console.info(`hub dropped the subscriber ${Date.now() - stoppedAt} ms after the client disconnected`);
    for (const feed of [calls, progress, activity, transcript]) feed.stop();
    const none = await pollUntil(
      async () => (await hubStats(demoOrgId)).subscribers,
      (count) => count === 0,
      5_000,
    );
    expect(none).toBe(0);
  });
});
