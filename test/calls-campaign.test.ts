import { beforeAll, describe, expect, it } from "vitest";
import type { PersonaName } from "../media-node/src/emulator/personas.js";
import {
  apiKey,
  attemptsOfCampaign,
  type CampaignCall,
  callsOfCampaign,
  campaignAction,
  createCampaign,
  createPersonaContacts,
  maximumOverlap,
  recordingIsWav,
  waitForCampaignStatus,
} from "./support/calls.js";
import { useDatabase } from "./support/database.js";
import { rest } from "./support/http.js";

/**
 * Fifty contacts, every emulator persona, dialled for real (dialer Durable Object → media node → emulator) with
 * five lines and fast retries: every call ends with the result its persona deserves, the lines are never
 * oversubscribed, unanswered calls are retried after the configured delays, and the statistics agree with the calls.
 */

const database = useDatabase();

// Five lines, not ten: at the test emulator's 120× speed, a 40 s AMD wait is a third of a real second, so an edge
// slowed by ten simultaneous conversations on a loaded two-core machine hangs up on people (see the report).
const MAX_CONCURRENT_CALLS = 5;
const MAX_RETRIES = 2;
const BUSY_DELAY_SECONDS = 1;
const NO_ANSWER_DELAY_SECONDS = 2;

const MIX: Array<[PersonaName, number]> = [
  ["interested", 10],
  ["not_interested", 5],
  ["callback", 5],
  ["voicemail", 5],
  ["silent", 5],
  ["busy", 5],
  ["no_answer", 5],
  ["wrong_number", 5],
  ["failed", 5],
];

/** What each persona's call ends as (the silent contact never speaks: rules:contact-silent → no_answer). */
const EXPECTED: Record<PersonaName, { status: string; result: string; answered: boolean; conversation: boolean }> = {
  interested: { status: "completed", result: "lead", answered: true, conversation: true },
  not_interested: { status: "completed", result: "not_interested", answered: true, conversation: true },
  callback: { status: "completed", result: "callback", answered: true, conversation: true },
  wrong_number: { status: "completed", result: "wrong_number", answered: true, conversation: true },
  voicemail: { status: "completed", result: "answering_machine", answered: true, conversation: false },
  silent: { status: "completed", result: "no_answer", answered: true, conversation: false },
  busy: { status: "busy", result: "no_answer", answered: false, conversation: false },
  no_answer: { status: "no_answer", result: "no_answer", answered: false, conversation: false },
  failed: { status: "failed", result: "failed", answered: false, conversation: false },
};
const RETRIED: Partial<Record<PersonaName, number>> = { busy: BUSY_DELAY_SECONDS, no_answer: NO_ANSWER_DELAY_SECONDS };

describe("a 50-contact campaign with every persona", () => {
  let campaign = 0;
  let calls: Array<CampaignCall & { persona: PersonaName }> = [];
  let finalStatus = "";

  beforeAll(async () => {
    const personas = MIX.flatMap(([persona, count]) => Array.from({ length: count }, () => persona));
    const contacts = await createPersonaContacts(database(), "50", personas);
    campaign = await createCampaign({
      name: "E2E fifty personas",
      contact_ids: contacts.map((contact) => contact.number),
      max_concurrent_calls: MAX_CONCURRENT_CALLS,
      retry_enabled: true,
      max_retries: MAX_RETRIES,
    });
    await database().query(
      "update campaigns set retry_busy_delay_seconds = $2, retry_no_answer_delay_seconds = $3 where number = $1",
      [campaign, BUSY_DELAY_SECONDS, NO_ANSWER_DELAY_SECONDS],
    );
    const started = await campaignAction(campaign, "start");
    if (started.status !== 200) throw new Error(`start refused: ${started.status} ${started.text}`);
    finalStatus = await waitForCampaignStatus(campaign, "completed", 150_000);
    const personaOf = new Map(contacts.map((contact) => [contact.phone, contact.persona]));
    calls = (await callsOfCampaign(database(), campaign)).map((call) => ({
      ...call,
      persona: personaOf.get(call.phone) as PersonaName,
    }));
  }, 180_000);

  it("completes, with one call per contact", () => {
    expect(finalStatus).toBe("completed");
    expect(calls).toHaveLength(50);
  });

  it("ends each call with the status and result its persona deserves", () => {
    const outcomes = calls.map((call) => ({
      phone: call.phone,
      persona: call.persona,
      status: call.status,
      result: call.result,
    }));
    const expected = calls.map((call) => ({
      phone: call.phone,
      persona: call.persona,
      status: EXPECTED[call.persona].status,
      result: EXPECTED[call.persona].result,
    }));
    expect(outcomes).toEqual(expected);
    for (const call of calls.filter((each) => each.persona === "voicemail")) expect(call.amd_result).toBe("machine");
  });

  it("records a duration for answered calls and a transcript for conversations", () => {
    for (const call of calls) {
      const expected = EXPECTED[call.persona];
      if (expected.answered) expect(call.duration_ms, `duration of ${call.persona} ${call.phone}`).toBeGreaterThan(0);
      if (expected.conversation) {
        expect(call.turns, `turns of ${call.persona} ${call.phone}`).toBeGreaterThanOrEqual(2);
        expect(call.contact_turns, `contact turns of ${call.persona} ${call.phone}`).toBeGreaterThanOrEqual(1);
      }
      if (call.persona === "silent") expect(call.contact_turns).toBe(0);
      if (!expected.answered) expect(call.turns, `turns of ${call.persona} ${call.phone}`).toBe(0);
    }
  });

  it("keeps a WAV recording of every answered call, served by the export API", async () => {
    const answered = calls.filter((call) => EXPECTED[call.persona].answered);
    const recordings = await Promise.all(
      answered.map(async (call) => ({ phone: call.phone, ...(await recordingIsWav(call.id)) })),
    );
    for (const recording of recordings) {
      expect(recording, recording.phone).toMatchObject({ status: 200, wav: true });
      expect(recording.bytes, recording.phone).toBeGreaterThan(44);
    }
  });

  it("never has more calls in flight than max_concurrent_calls", async () => {
    const attempts = await attemptsOfCampaign(database(), campaign);
    expect(attempts.every((attempt) => attempt.ended_at !== null)).toBe(true);
    const overlap = maximumOverlap(attempts);
    expect(overlap).toBeGreaterThan(1);
    expect(overlap).toBeLessThanOrEqual(MAX_CONCURRENT_CALLS);
  });

  it("dials unanswered contacts max_retries + 1 times, waiting the configured delay between attempts", async () => {
    const attempts = await attemptsOfCampaign(database(), campaign);
    for (const call of calls) {
      const mine = attempts.filter((attempt) => attempt.call_id === call.id);
      const delaySeconds = RETRIED[call.persona];
      if (delaySeconds === undefined) {
        expect(mine, `attempts of ${call.persona} ${call.phone}`).toHaveLength(1);
        continue;
      }
      expect(call.attempts, `attempts of ${call.persona} ${call.phone}`).toBe(MAX_RETRIES + 1);
      expect(mine.map((attempt) => attempt.attempt_number)).toEqual([1, 2, 3]);
      for (let index = 1; index < mine.length; index++) {
        const previous = mine[index - 1];
        const next = mine[index];
        if (!previous?.ended_at || !next) throw new Error(`attempt ${index} of ${call.phone} never ended`);
        const gapMs = next.started_at.getTime() - previous.ended_at.getTime();
        expect(gapMs, `gap before attempt ${index + 1} of ${call.persona} ${call.phone}`).toBeGreaterThanOrEqual(
          delaySeconds * 1000,
        );
      }
    }
  });

  it("reports statistics that agree with the calls", async () => {
    const stats = await rest("GET", `/api/stats/campaign/${campaign}`, { headers: apiKey() });
    expect(stats.status).toBe(200);
    const body = stats.body as {
      total: number;
      status: Record<string, number>;
      results: Record<string, number>;
      amd: { human: number; machine: number };
    };
    const { rows } = await database().query<{ status: string; result: string | null; amd_result: string | null }>(
      "select c.status, c.result, c.amd_result from calls c join campaigns k on k.id = c.campaign_id where k.number = $1",
      [campaign],
    );
    const count = (keep: (row: (typeof rows)[number]) => boolean) => rows.filter(keep).length;
    expect(body.total).toBe(rows.length);
    for (const [result, counted] of Object.entries(body.results)) {
      expect(counted, `results.${result}`).toBe(count((row) => row.result === result));
    }
    expect(body.status).toEqual({
      pending: count((row) => row.status === "pending" || row.status === "scheduled"),
      calling: count((row) => row.status === "calling"),
      ringing: count((row) => row.status === "ringing"),
      in_progress: count((row) => row.status === "in_progress"),
      completed: count((row) => row.status === "completed"),
      failed: count((row) => row.status === "failed"),
      cancelled: count((row) => row.status === "cancelled"),
      no_answer: count((row) => row.status === "no_answer" || row.status === "busy"),
    });
    expect(body.amd).toMatchObject({
      human: count((row) => row.amd_result === "human"),
      machine: count((row) => row.amd_result === "machine"),
    });
    // And the figures a user reads off the dashboard, against the persona mix.
    expect(body.results).toMatchObject({ lead: 10, not_interested: 5, callback: 5, answering_machine: 5 });
  });
});
