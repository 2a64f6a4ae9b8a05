import { describe, expect, inject, it } from "vitest";
import { useDatabase } from "./support/database.js";
import { rest } from "./support/http.js";

/**
 * A campaign dialled for real: edge (dialer Durable Object, events, conversation engine) → media node
 * (jambonz SDK) → jambonz emulator, whose personas answer by the dialled number's last digit. The seeded
 * contacts 1–5 are interested, not interested, callback, voicemail and no answer.
 */

const database = useDatabase();
const key = () => ({ "x-api-key": inject("apiPassword") });

type CallRow = {
  id: string;
  contact_number: string;
  status: string;
  result: string | null;
  amd_result: string | null;
  duration_ms: number | null;
  attempts: number;
  recording_key: string | null;
  turns: number;
};

async function waitForStatus(campaign: number, wanted: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let status = "";
  while (Date.now() < deadline) {
    const response = await rest("GET", `/api/campaigns/${campaign}`, { headers: key() });
    status = (response.body as { status: string }).status;
    if (status === wanted) return status;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return status;
}

async function callsOf(campaign: number): Promise<CallRow[]> {
  const { rows } = await database().query<CallRow>(
    `select c.id, ct.number::text as contact_number, c.status, c.result, c.amd_result, c.duration_ms, c.attempts,
            c.recording_key, (select count(*)::int from call_turns t where t.call_id = c.id) as turns
     from calls c join campaigns k on k.id = c.campaign_id join contacts ct on ct.id = c.contact_id
     where k.number = $1 order by ct.number`,
    [campaign],
  );
  return rows;
}

describe("a MiniBotPanel campaign on the emulator", () => {
  it("dials every contact, converses, and completes with results, transcripts and recordings", async () => {
    const created = await rest("POST", "/api/campaigns/", {
      headers: key(),
      body: {
        name: "End to end",
        contact_ids: [1, 2, 3, 4, 5],
        scenario: "scenario_test_demo",
        max_concurrent_calls: 3,
        retry_enabled: false,
      },
    });
    expect(created.status, created.text).toBe(201);
    const campaign = (created.body as { id: number }).id;
    expect((await rest("POST", `/api/campaigns/${campaign}/start`, { headers: key() })).status).toBe(200);

    expect(await waitForStatus(campaign, "completed", 60_000)).toBe("completed");
    const calls = await callsOf(campaign);
    const byContact = Object.fromEntries(calls.map((call) => [call.contact_number, call]));
    expect(byContact["1"]).toMatchObject({ status: "completed", result: "lead", amd_result: "human", attempts: 1 });
    expect(byContact["2"]).toMatchObject({ status: "completed", result: "not_interested" });
    expect(byContact["3"]).toMatchObject({ status: "completed", result: "callback" });
    expect(byContact["4"]).toMatchObject({ result: "answering_machine", amd_result: "machine" });
    // Luc's number reaches the emulator's silent persona: answered, never a word back.
    expect(byContact["5"]).toMatchObject({ status: "completed", result: "no_answer" });
    for (const contact of ["1", "2", "3"]) {
      const call = byContact[contact];
      expect(call?.turns, `turns of contact ${contact}`).toBeGreaterThanOrEqual(2);
      expect(call?.duration_ms, `duration of contact ${contact}`).toBeGreaterThan(0);
      expect(call?.recording_key, `recording of contact ${contact}`).toMatch(/\.wav$/);
    }

    const lead = byContact["1"]?.id ?? "";
    const audio = await fetch(`${inject("edgeUrl")}/api/exports/audio/${lead}`, { headers: key() });
    expect(audio.status).toBe(200);
    const wav = Buffer.from(await audio.arrayBuffer());
    expect(wav.subarray(0, 4).toString("latin1")).toBe("RIFF");
    expect(wav.subarray(8, 12).toString("latin1")).toBe("WAVE");
    // The emulator streams audio in real time while simulating the call faster, so the file is short but real.
    expect(wav.length).toBeGreaterThan(1_000);
    const transcript = await rest("GET", `/api/exports/transcript/${lead}`, { headers: key() });
    expect(transcript.text).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] Agent: .+/m);
    expect(transcript.text).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] Contact: .+/m);

    const stats = await rest("GET", `/api/stats/campaign/${campaign}`, { headers: key() });
    expect(stats.body).toMatchObject({ total: 5, results: { lead: 1, not_interested: 1, callback: 1 } });
  }, 90_000);
});
