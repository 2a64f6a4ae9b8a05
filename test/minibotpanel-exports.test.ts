import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, inject, it } from "vitest";
import {
  INTERNAL_SIGNATURE_HEADER,
  INTERNAL_TIMESTAMP_HEADER,
  signInternalRequest,
} from "../schema/src/internal-signature.js";
import { firstRow, useDatabase } from "./support/database.js";
import { type RestResponse, rest } from "./support/http.js";
import { recordingPath, uploadRecording } from "./support/recordings.js";
import { sineWav } from "./support/wav.js";

/**
 * MiniBotPanel's exports (shared/api-docs/minibotpanel.md, "Exports") and the signed internal
 * recording upload. Fixtures go straight into the database: a demo campaign with three calls
 * (one with a transcript, one with a recording key, one never dialled), a call outside any campaign
 * for the audio round trip, and a campaign and call of another organisation (acme).
 */

const CSV_HEADER =
  "phone,first_name,last_name,email,company,status,result,duration,sentiment,confidence,amd_result,created_at,ended_at,audio_link,transcript_link";
const CSV_HEADER_WITHOUT_LINKS =
  "phone,first_name,last_name,email,company,status,result,duration,sentiment,confidence,amd_result,created_at,ended_at";
const UNKNOWN_UUID = "00000000-0000-4000-8000-000000000000";

type Fixtures = {
  demoOrgId: string;
  campaign: { id: string; number: number };
  transcribed: string;
  recorded: string;
  untouched: string;
  loose: string;
  phones: { jean: string; marie: string; nobody: string };
  acme: { campaignNumber: number; callId: string };
};

const database = useDatabase();
let fx: Fixtures;

const auth = () => ({ "x-api-key": inject("apiPassword") });
const get = (path: string) => rest("GET", path, { headers: auth() });

const one = <T = { id: string }>(text: string, values: unknown[] = []) => firstRow<T>(database(), text, values);

function uniquePhone(): string {
  return `+336${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;
}

/** An account and a scenario agent for an organisation that has none (acme). */
async function accountAndAgent(orgId: string): Promise<{ accountId: string; agentId: string }> {
  const suffix = crypto.randomUUID().slice(0, 8);
  const account = await one(
    "insert into accounts (org_id, code, name) values ($1, $2, 'Export test account') returning id",
    [orgId, `exports_${suffix}`],
  );
  const agent = await one(
    `insert into agents (org_id, slug, name, kind, mode, scenario)
     values ($1, $2, 'Export test agent', 'voice', 'scenario', '{"name":"x","steps":{}}') returning id`,
    [orgId, `exports_${suffix}`],
  );
  return { accountId: account.id, agentId: agent.id };
}

async function insertFixtures(): Promise<Fixtures> {
  const demoOrgId = (await one("select id from organisations where slug = 'demo'")).id;
  const accountId = (await one("select id from accounts where org_id = $1 and is_default", [demoOrgId])).id;
  const agentId = (
    await one("select id from agents where org_id = $1 and slug = 'scenario_finance_crypto'", [demoOrgId])
  ).id;
  const phones = { jean: uniquePhone(), marie: uniquePhone(), nobody: uniquePhone() };
  const contact = (values: unknown[]) =>
    one(
      `insert into contacts (org_id, phone, first_name, last_name, email, company)
       values ($1, $2, $3, $4, $5, $6) returning id`,
      [demoOrgId, ...values],
    );
  const jean = await contact([phones.jean, "Jean", "Dupont", "jean@example.com", "TechCorp, SA"]);
  const marie = await contact([phones.marie, "Marie", 'L"Huillier', "marie@example.com", "Vins & Co"]);
  const nobody = await contact([phones.nobody, null, null, null, null]);
  const campaign = await one<{ id: string; number: number }>(
    `insert into campaigns (org_id, account_id, agent_id, name, description, status, created_at, started_at, completed_at)
     values ($1, $2, $3, 'Prospection Q1 2025', 'Campagne de prospection commerciale Q1', 'completed',
             '2025-01-15T14:00:00Z', '2025-01-15T14:05:00Z', '2025-01-15T16:30:00Z')
     returning id, number::int as number`,
    [demoOrgId, accountId, agentId],
  );
  const call = (columns: string, values: unknown[]) =>
    one(
      `insert into calls (org_id, campaign_id, agent_id, account_id, ${columns})
       values ($1, $2, $3, $4, ${values.map((_, index) => `$${index + 5}`).join(", ")}) returning id`,
      [demoOrgId, campaign.id, agentId, accountId, ...values],
    );
  const transcribed = await call(
    `contact_id, to_number, status, result, duration_ms, sentiment, confidence, amd_result, metadata,
     created_at, answered_at, ended_at`,
    [
      jean.id,
      phones.jean,
      "completed",
      "lead",
      127_000,
      "positive",
      0.92,
      "human",
      JSON.stringify({ objection_matched: "J'ai déjà une banque", freestyle_turns: 2 }),
      "2025-01-15T14:10:00Z",
      "2025-01-15T14:10:03Z",
      "2025-01-15T14:12:07Z",
    ],
  );
  const recorded = await call(
    "contact_id, to_number, status, result, duration_ms, sentiment, amd_result, recording_key, created_at, ended_at",
    [
      marie.id,
      phones.marie,
      "completed",
      "not_interested",
      45_500,
      "negative",
      "human",
      `recordings/${demoOrgId}/fixture.wav`,
      "2025-01-15T14:20:00.250Z",
      "2025-01-15T14:20:45.750Z",
    ],
  );
  const untouched = await call("contact_id, to_number, created_at", [nobody.id, phones.nobody, "2025-01-15T14:30:00Z"]);
  const turns: Array<[number, string, string, string]> = [
    [1, "agent", "Allô, bonjour Monsieur Dupont. Je suis Julie de TechCorp.", "2025-01-15T14:10:05Z"],
    [2, "contact", "Oui bonjour.", "2025-01-15T14:10:12.600Z"],
    [3, "system", "transfer\nrequested", "2025-01-15T14:10:15Z"],
  ];
  for (const [sequence, speaker, text, spokenAt] of turns) {
    await database().query(
      "insert into call_turns (org_id, call_id, sequence, speaker, text, spoken_at) values ($1, $2, $3, $4, $5, $6)",
      [demoOrgId, transcribed.id, sequence, speaker, text, spokenAt],
    );
  }
  const loose = await one("insert into calls (org_id, to_number, status) values ($1, $2, 'completed') returning id", [
    demoOrgId,
    uniquePhone(),
  ]);
  return {
    demoOrgId,
    campaign,
    transcribed: transcribed.id,
    recorded: recorded.id,
    untouched: untouched.id,
    loose: loose.id,
    phones,
    acme: await insertAcmeFixtures(),
  };
}

/** Another organisation's campaign and call, with a transcript and an uploaded recording. */
async function insertAcmeFixtures(): Promise<Fixtures["acme"]> {
  const acmeOrgId = (await one("select id from organisations where slug = 'acme'")).id;
  const { accountId, agentId } = await accountAndAgent(acmeOrgId);
  const campaign = await one<{ id: string; number: number }>(
    "insert into campaigns (org_id, account_id, agent_id, name) values ($1, $2, $3, 'Acme secret') returning id, number::int as number",
    [acmeOrgId, accountId, agentId],
  );
  const call = await one(
    `insert into calls (org_id, campaign_id, account_id, agent_id, to_number, status)
     values ($1, $2, $3, $4, $5, 'completed') returning id`,
    [acmeOrgId, campaign.id, accountId, agentId, uniquePhone()],
  );
  await database().query(
    "insert into call_turns (org_id, call_id, sequence, speaker, text) values ($1, $2, 1, 'agent', 'Acme only')",
    [acmeOrgId, call.id],
  );
  const upload = await uploadRecording(call.id, sineWav());
  expect(upload.status, upload.text).toBe(200);
  return { campaignNumber: campaign.number, callId: call.id };
}

async function getBytes(path: string): Promise<{ status: number; headers: Headers; bytes: Uint8Array }> {
  const response = await fetch(`${inject("edgeUrl")}${path}`, { headers: auth() });
  return { status: response.status, headers: response.headers, bytes: new Uint8Array(await response.arrayBuffer()) };
}

function csvRows(text: string): string[][] {
  return parse(text, { relax_column_count: false }) as string[][];
}

function expectNotFound(response: RestResponse): void {
  expect(response.status, response.text.slice(0, 300)).toBe(404);
  expect(response.body).toMatchObject({ error: { code: "HTTP_404", message: expect.any(String) } });
}

beforeAll(async () => {
  fx = await insertFixtures();
});

describe("GET /api/exports/campaign/{id}/csv", () => {
  it("streams every call with the documented columns, values and links", async () => {
    const response = await get(`/api/exports/campaign/${fx.campaign.number}/csv`);
    expect(response.status, response.text).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    // Streamed: the length is not known up front.
    expect(response.headers.get("content-length")).toBeNull();
    expect(response.text.split("\r\n")[0]).toBe(CSV_HEADER);
    const edge = inject("edgeUrl");
    const [header, ...rows] = csvRows(response.text);
    expect(header?.join(",")).toBe(CSV_HEADER);
    expect(rows).toEqual([
      [
        fx.phones.jean,
        "Jean",
        "Dupont",
        "jean@example.com",
        "TechCorp, SA",
        "completed",
        "lead",
        "127",
        "positive",
        "0.92",
        "human",
        "2025-01-15T14:10:00",
        "2025-01-15T14:12:07",
        "",
        `${edge}/api/exports/transcript/${fx.transcribed}`,
      ],
      [
        fx.phones.marie,
        "Marie",
        'L"Huillier',
        "marie@example.com",
        "Vins & Co",
        "completed",
        "not_interested",
        "46",
        "negative",
        "",
        "human",
        "2025-01-15T14:20:00",
        "2025-01-15T14:20:45",
        `${edge}/api/exports/audio/${fx.recorded}`,
        "",
      ],
      [fx.phones.nobody, "", "", "", "", "pending", "", "", "", "", "", "2025-01-15T14:30:00", "", "", ""],
    ]);
  });

  it("names the file campaign_{id}_{UTC YYYYmmdd_HHMMSS}.csv", async () => {
    const before = new Date();
    const response = await get(`/api/exports/campaign/${fx.campaign.number}/csv`);
    const disposition = response.headers.get("content-disposition") ?? "";
    const match = disposition.match(
      /^attachment; filename=campaign_(\d+)_(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})\.csv$/,
    );
    expect(match, disposition).not.toBeNull();
    const [, id, year, month, day, hour, minute, second] = match ?? [];
    expect(Number(id)).toBe(fx.campaign.number);
    const stamped = Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}Z`);
    // The stamp is the server's UTC clock at the request, to the second.
    expect(stamped).toBeGreaterThanOrEqual(Math.floor(before.getTime() / 1000) * 1000 - 60_000);
    expect(stamped).toBeLessThanOrEqual(Date.now() + 60_000);
  });

  it("leaves the link columns out entirely with include_links=false", async () => {
    const response = await get(`/api/exports/campaign/${fx.campaign.number}/csv?include_links=false`);
    expect(response.status, response.text).toBe(200);
    const [header, ...rows] = csvRows(response.text);
    expect(header?.join(",")).toBe(CSV_HEADER_WITHOUT_LINKS);
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row).toHaveLength(13);
    expect(response.text).not.toContain("/api/exports/");
  });

  it("treats include_links=true like the default and refuses a value that is not a bool", async () => {
    const explicit = await get(`/api/exports/campaign/${fx.campaign.number}/csv?include_links=true`);
    expect(csvRows(explicit.text)[0]?.join(",")).toBe(CSV_HEADER);
    const invalid = await get(`/api/exports/campaign/${fx.campaign.number}/csv?include_links=maybe`);
    expect(invalid.status).toBe(422);
    expect(invalid.body).toMatchObject({
      error: { code: "VALIDATION_ERROR", details: [{ loc: ["query", "include_links"] }] },
    });
  });

  it("gives a header-only file for a campaign without calls", async () => {
    const { accountId, agentId } = await one<{ accountId: string; agentId: string }>(
      'select account_id as "accountId", agent_id as "agentId" from campaigns where id = $1',
      [fx.campaign.id],
    );
    const empty = await one<{ number: number }>(
      "insert into campaigns (org_id, account_id, agent_id, name) values ($1, $2, $3, 'Empty') returning number::int as number",
      [fx.demoOrgId, accountId, agentId],
    );
    const response = await get(`/api/exports/campaign/${empty.number}/csv`);
    expect(response.status).toBe(200);
    expect(response.text).toBe(`${CSV_HEADER}\r\n`);
  });

  it("is a 404 for an unknown campaign and for another organisation's campaign", async () => {
    expectNotFound(await get("/api/exports/campaign/987654321/csv"));
    expectNotFound(await get(`/api/exports/campaign/${fx.acme.campaignNumber}/csv`));
    expectNotFound(await get(`/api/exports/campaign/${fx.acme.campaignNumber}/json`));
  });
});

describe("GET /api/exports/campaign/{id}/json", () => {
  it("returns the campaign with its counts and every call, in the documented shape", async () => {
    const response = await get(`/api/exports/campaign/${fx.campaign.number}/json`);
    expect(response.status, response.text).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.headers.get("content-length")).toBeNull();
    const body = response.body as { campaign: Record<string, unknown>; calls: Array<Record<string, unknown>> };
    expect(body.campaign).toEqual({
      id: fx.campaign.number,
      name: "Prospection Q1 2025",
      description: "Campagne de prospection commerciale Q1",
      scenario: "scenario_finance_crypto",
      status: "completed",
      stats: { total: 3, completed: 2, in_progress: 0, pending: 1, leads: 1, not_interested: 1, callbacks: 0 },
      created_at: "2025-01-15T14:00:00.000000",
      started_at: "2025-01-15T14:05:00.000000",
      completed_at: "2025-01-15T16:30:00.000000",
    });
    expect(body.calls.map((call) => call.uuid)).toEqual([fx.transcribed, fx.recorded, fx.untouched]);
    expect(body.calls[0]).toEqual({
      uuid: fx.transcribed,
      contact: {
        phone: fx.phones.jean,
        first_name: "Jean",
        last_name: "Dupont",
        email: "jean@example.com",
        company: "TechCorp, SA",
      },
      status: "completed",
      result: "lead",
      duration: 127,
      sentiment: "positive",
      confidence: 0.92,
      amd_result: "human",
      metadata: { objection_matched: "J'ai déjà une banque", freestyle_turns: 2 },
      created_at: "2025-01-15T14:10:00.000000",
      answered_at: "2025-01-15T14:10:03.000000",
      ended_at: "2025-01-15T14:12:07.000000",
    });
    expect(body.calls[2]).toMatchObject({
      contact: { phone: fx.phones.nobody, first_name: null, last_name: null, email: null, company: null },
      status: "pending",
      result: null,
      duration: null,
      confidence: null,
      metadata: {},
      answered_at: null,
      ended_at: null,
    });
  });
});

describe("GET /api/exports/transcript/{uuid}", () => {
  const expectedText = [
    "[2025-01-15 14:10:05] Agent: Allô, bonjour Monsieur Dupont. Je suis Julie de TechCorp.",
    "[2025-01-15 14:10:12] Contact: Oui bonjour.",
    "[2025-01-15 14:10:15] System: transfer requested",
  ].join("\n");

  it("gives the turns in order as text/plain, one line per turn, as an attachment", async () => {
    const response = await get(`/api/exports/transcript/${fx.transcribed}`);
    expect(response.status, response.text).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(response.headers.get("content-disposition")).toBe(`attachment; filename=transcript_${fx.transcribed}.txt`);
    expect(response.text).toBe(`${expectedText}\n`);
    const explicit = await get(`/api/exports/transcript/${fx.transcribed}?format=txt`);
    expect(explicit.text).toBe(response.text);
  });

  it("gives the same transcription with duration and sentiment as JSON", async () => {
    const response = await get(`/api/exports/transcript/${fx.transcribed}?format=json`);
    expect(response.status, response.text).toBe(200);
    expect(response.body).toEqual({
      call_uuid: fx.transcribed,
      transcription: expectedText,
      duration: 127,
      sentiment: "positive",
    });
  });

  it("refuses an unknown format with 422", async () => {
    const response = await get(`/api/exports/transcript/${fx.transcribed}?format=pdf`);
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({
      error: { code: "VALIDATION_ERROR", details: [{ loc: ["query", "format"] }] },
    });
  });

  it("is a 404 for an unknown, malformed or foreign call, and for a call without turns", async () => {
    for (const id of [UNKNOWN_UUID, "abc-123-456", fx.acme.callId, fx.recorded]) {
      expectNotFound(await get(`/api/exports/transcript/${id}`));
      expectNotFound(await get(`/api/exports/transcript/${id}?format=json`));
    }
  });
});

describe("audio: signed upload, then GET /api/exports/audio/{uuid}", () => {
  it("round-trips a WAV byte for byte and records where it is stored", async () => {
    const wav = sineWav(0.5);
    const upload = await uploadRecording(fx.loose, wav);
    expect(upload.status, upload.text).toBe(200);
    const key = `recordings/${fx.demoOrgId}/${fx.loose}.wav`;
    expect(upload.body).toEqual({ call_id: fx.loose, recording_key: key, bytes: wav.byteLength, duration_ms: 500 });
    const stored = await one<{ recording_key: string }>("select recording_key from calls where id = $1", [fx.loose]);
    expect(stored.recording_key).toBe(key);

    const download = await getBytes(`/api/exports/audio/${fx.loose}`);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toBe("audio/wav");
    expect(download.headers.get("content-disposition")).toBe(`attachment; filename=call_${fx.loose}.wav`);
    expect(download.bytes.byteLength).toBe(wav.byteLength);
    expect(Buffer.from(download.bytes).equals(Buffer.from(wav))).toBe(true);
  });

  it("replaces an earlier recording on a second upload", async () => {
    const longer = sineWav(0.75);
    expect((await uploadRecording(fx.loose, longer)).status).toBe(200);
    const download = await getBytes(`/api/exports/audio/${fx.loose}`);
    expect(Buffer.from(download.bytes).equals(Buffer.from(longer))).toBe(true);
  });

  it("is a 404 for an unknown, malformed or foreign call, and for a call without a recording", async () => {
    // acme's call has a stored recording: only the organisation check stands in the way.
    for (const id of [UNKNOWN_UUID, "abc-123-456", fx.acme.callId, fx.untouched]) {
      expectNotFound(await get(`/api/exports/audio/${id}`));
    }
  });

  it("is a 404 when the call names a recording that is not in storage", async () => {
    expectNotFound(await get(`/api/exports/audio/${fx.recorded}`));
  });
});

describe("credentials", () => {
  it("refuses every export without credentials with 401", async () => {
    const paths = [
      `/api/exports/campaign/${fx.campaign.number}/csv`,
      `/api/exports/campaign/${fx.campaign.number}/json`,
      `/api/exports/audio/${fx.loose}`,
      `/api/exports/transcript/${fx.transcribed}`,
    ];
    for (const path of paths) {
      const response = await rest("GET", path);
      expect(response.status, path).toBe(401);
      expect(response.body).toMatchObject({ error: { code: "UNAUTHORIZED" } });
    }
  });
});

describe("OpenAPI document", () => {
  it("lists the four exports and keeps the internal API out", async () => {
    const response = await rest("GET", "/openapi.json");
    expect(response.status).toBe(200);
    const paths = Object.keys((response.body as { paths: Record<string, unknown> }).paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        "/api/exports/campaign/{campaign_id}/csv",
        "/api/exports/campaign/{campaign_id}/json",
        "/api/exports/audio/{call_uuid}",
        "/api/exports/transcript/{call_uuid}",
      ]),
    );
    expect(paths.filter((path) => path.startsWith("/internal"))).toEqual([]);
  });
});

describe("PUT /internal/v1/calls/{id}/recording", () => {
  const wav = sineWav(0.1);

  async function keyOf(callId: string): Promise<string | null> {
    return (await one<{ recording_key: string | null }>("select recording_key from calls where id = $1", [callId]))
      .recording_key;
  }

  it("refuses a request without signature headers", async () => {
    const response = await rest("PUT", recordingPath(fx.untouched), {
      headers: { "content-type": "audio/wav" },
      rawBody: wav,
    });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error: { code: "INVALID_SIGNATURE" } });
    expect(await keyOf(fx.untouched)).toBeNull();
  });

  it("refuses a signature made with another secret, for another body, or a tampered one", async () => {
    const wrongSecret = await uploadRecording(fx.untouched, wav, {
      secret: "not-the-secret-not-the-secret-not-the-secret",
    });
    expect(wrongSecret.status).toBe(401);
    const otherBody = await uploadRecording(fx.untouched, wav, { signedBody: sineWav(0.2) });
    expect(otherBody.status).toBe(401);
    const signed = await signInternalRequest({
      secret: inject("internalApiSecret"),
      method: "PUT",
      path: recordingPath(fx.untouched),
      body: wav,
    });
    const tampered = signed[INTERNAL_SIGNATURE_HEADER].replace(/.$/, (last) => (last === "0" ? "1" : "0"));
    const response = await uploadRecording(fx.untouched, wav, {
      headers: {
        [INTERNAL_SIGNATURE_HEADER]: tampered,
        [INTERNAL_TIMESTAMP_HEADER]: signed[INTERNAL_TIMESTAMP_HEADER],
      },
    });
    expect(response.status).toBe(401);
    expect(await keyOf(fx.untouched)).toBeNull();
  });

  it("refuses a signature that is more than five minutes old", async () => {
    const response = await uploadRecording(fx.untouched, wav, { now: new Date(Date.now() - 6 * 60_000) });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({
      error: { code: "INVALID_SIGNATURE", message: expect.stringMatching(/old/) },
    });
    expect(await keyOf(fx.untouched)).toBeNull();
  });

  it("refuses a correctly signed body that is not a WAV, and a body that is not declared as audio/wav", async () => {
    const text = new TextEncoder().encode("RIFF but not really a wave file, just text pretending");
    const notWav = await uploadRecording(fx.untouched, text);
    expect(notWav.status).toBe(422);
    expect(notWav.body).toMatchObject({ error: { code: "VALIDATION_ERROR" } });
    const headerOnly = await uploadRecording(fx.untouched, wav.slice(0, 36));
    expect(headerOnly.status).toBe(422);
    const declaredOtherwise = await uploadRecording(fx.untouched, wav, { headers: { "content-type": "text/plain" } });
    expect(declaredOtherwise.status).toBe(415);
    expect(await keyOf(fx.untouched)).toBeNull();
  });

  it("is a 404 for a call that does not exist", async () => {
    const response = await uploadRecording(UNKNOWN_UUID, wav);
    expect(response.status).toBe(404);
  });
});
