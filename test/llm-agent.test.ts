import { randomBytes } from "node:crypto";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { generateText, tool } from "ai";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { z } from "zod";
import { signInternalRequest } from "../schema/src/internal-signature.js";
import { firstRow, useDatabase } from "./support/database.js";
import { type OpenAiCompatibleServer, startOpenAiCompatibleServer } from "./support/openai-compatible-server.js";
import { startThrowawayEdge } from "./support/throwaway-edge.js";

/**
 * LLM agents (issue 4): POST /internal/v1/calls/{id}/turn on a worker whose LLM_BASE_URL points at a local
 * OpenAI-compatible server, so the test scripts what "the model" answers and checks what the edge asked.
 * The shared worker has no LLM_BASE_URL and keeps refusing LLM agents (test/internal-calls.test.ts).
 */

const database = useDatabase();
const secret = randomBytes(36).toString("base64url");
const stops: Array<() => Promise<void>> = [];
const SYSTEM_PROMPT = "Tu es Léa, l'assistante de la boulangerie Dupain. Tu réponds aux questions sur les horaires.";
const TRANSFER_NUMBER = "+33100000042";
const FALLBACK = "Je suis désolé, je rencontre un problème technique. Nous vous rappellerons. Au revoir.";

let edgeUrl = "";
let llm: OpenAiCompatibleServer;
let ids: { orgId: string; accountId: string; agentId: string };

type TurnBody = {
  say: string | null;
  action: string;
  transfer_to: string | null;
  intent: string | null;
  step: string | null;
  speech: { synthesizer: { language: string } };
};

const one = <T = { id: string }>(text: string, values: unknown[] = []) => firstRow<T>(database(), text, values);

beforeAll(async () => {
  llm = await startOpenAiCompatibleServer();
  stops.push(llm.stop);
  edgeUrl = await startThrowawayEdge({
    databaseUrl: inject("databaseUrl"),
    apiPassword: inject("apiPassword"),
    internalApiSecret: secret,
    vars: { LLM_BASE_URL: llm.baseUrl, LLM_API_KEY: "sk-local-test" },
    environment: "test",
    stops,
  });
  const orgId = (await one("select id from organisations where slug = 'demo'")).id;
  const suffix = crypto.randomUUID().slice(0, 8);
  const account = await one("insert into accounts (org_id, code, name) values ($1, $2, 'LLM test') returning id", [
    orgId,
    `llm_${suffix}`,
  ]);
  const agent = await one(
    `insert into agents (org_id, slug, name, kind, mode, language, llm_provider, llm_model, system_prompt,
       temperature, voice_parameters)
     values ($1, $2, 'Léa', 'voice', 'llm', 'fr', 'openai', 'local-test-model', $3, 0.25, $4) returning id`,
    [orgId, `llm_${suffix}`, SYSTEM_PROMPT, JSON.stringify({ transfer_numbers: [TRANSFER_NUMBER] })],
  );
  ids = { orgId, accountId: account.id, agentId: agent.id };
}, 120_000);

afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
});

beforeEach(() => {
  llm.requests.length = 0;
});

async function newCall(): Promise<string> {
  const campaign = await one(
    "insert into campaigns (org_id, account_id, agent_id, name) values ($1, $2, $3, 'LLM test') returning id",
    [ids.orgId, ids.accountId, ids.agentId],
  );
  const phone = `+336${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;
  const call = await one(
    `insert into calls (org_id, campaign_id, agent_id, account_id, to_number, status, max_attempts)
     values ($1, $2, $3, $4, $5, 'in_progress', 3) returning id`,
    [ids.orgId, campaign.id, ids.agentId, ids.accountId, phone],
  );
  return call.id;
}

/** The turn's streamed answer: each line with the milliseconds since the request, as the media node reads it. */
async function streamedTurn(
  callId: string,
  body: unknown,
): Promise<Array<{ at: number; line: Record<string, unknown> }>> {
  const path = `/internal/v1/calls/${callId}/turn`;
  const text = JSON.stringify(body);
  const signature = await signInternalRequest({ secret, method: "POST", path, body: text });
  const started = performance.now();
  const response = await fetch(`${edgeUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/x-ndjson", ...signature },
    body: text,
  });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("application/x-ndjson");
  const lines: Array<{ at: number; line: Record<string, unknown> }> = [];
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    const complete = buffered.split("\n");
    buffered = complete.pop() ?? "";
    for (const line of complete.filter(Boolean)) {
      lines.push({ at: performance.now() - started, line: JSON.parse(line) as Record<string, unknown> });
    }
  }
  return lines;
}

async function signedPost(path: string, body: unknown): Promise<{ status: number; body: unknown; text: string }> {
  const text = JSON.stringify(body);
  const signature = await signInternalRequest({ secret, method: "POST", path, body: text });
  const response = await fetch(`${edgeUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...signature },
    body: text,
  });
  const answer = await response.text();
  return { status: response.status, body: answer ? JSON.parse(answer) : null, text: answer };
}

async function turn(callId: string, input: unknown, idempotencyKey?: string): Promise<TurnBody> {
  const started = performance.now();
  const response = await signedPost(`/internal/v1/calls/${callId}/turn`, {
    attempt: 1,
    input,
    ...(idempotencyKey ? { idempotency_key: idempotencyKey } : {}),
  });
  // A figure for the report, not an assertion: edge + local model server, wrangler dev on this machine.
  console.info(`llm turn ${JSON.stringify(input)} answered in ${Math.round(performance.now() - started)} ms`);
  expect(response.status, response.text).toBe(200);
  return response.body as TurnBody;
}

async function postEvent(callId: string, fact: string, event: Record<string, unknown>) {
  return signedPost(`/internal/v1/calls/${callId}/events`, {
    idempotency_key: `${callId}:1:${fact}`,
    occurred_at: new Date().toISOString(),
    attempt: 1,
    jambonz_call_sid: `sid-${callId}`,
    ...event,
  });
}

/** What the model answers when asked for a post-call analysis: one record_call_analysis call. */
function analysisReply(overrides: Record<string, unknown> = {}) {
  return {
    toolCalls: [
      {
        name: "record_call_analysis",
        arguments: { result: "lead", sentiment: "positive", summary: "Résumé.", key_phrases: [], ...overrides },
      },
    ],
  };
}

type AnalysedRow = {
  result: string | null;
  sentiment: string | null;
  summary: string | null;
  key_phrases: string[] | null;
  metadata: { analysis?: { source?: string; llm_failure?: string; result_rule?: string } };
};

/** The call once `done` holds: the analysis runs after the event's answer, so it is waited for. */
async function analysedCall(callId: string, done: (row: AnalysedRow) => boolean): Promise<AnalysedRow> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const row = await one<AnalysedRow>(
      "select result, sentiment, summary, key_phrases, metadata from calls where id = $1",
      [callId],
    );
    if (done(row) || Date.now() > deadline) return row;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const conversationOf = async (callId: string) =>
  (
    await one<{ metadata: { conversation?: Record<string, unknown> } }>("select metadata from calls where id = $1", [
      callId,
    ])
  ).metadata.conversation;

describe("an LLM agent on the turn endpoint", () => {
  it("greets, then answers with the conversation so far, sending the agent's prompt, model and tools", async () => {
    const callId = await newCall();
    llm.script({ text: "Bonjour, ici Léa de la boulangerie Dupain. Que puis-je pour vous ?" });
    const greeting = await turn(callId, { kind: "start" });
    expect(greeting).toMatchObject({
      say: "Bonjour, ici Léa de la boulangerie Dupain. Que puis-je pour vous ?",
      action: "continue",
      transfer_to: null,
      step: null,
      speech: { synthesizer: { language: "fr-FR" } },
    });

    const [first] = llm.requests;
    expect(first?.headers.authorization).toBe("Bearer sk-local-test");
    expect(first?.body).toMatchObject({ model: "local-test-model", temperature: 0.25, stream: true });
    expect(first?.body.messages[0]).toMatchObject({ role: "system", content: expect.stringContaining(SYSTEM_PROMPT) });
    expect(first?.body.messages).toHaveLength(2);
    expect(first?.body.messages[1]).toMatchObject({ role: "user", content: expect.stringContaining("Greet") });
    const tools = first?.body.tools ?? [];
    expect(tools.map((entry) => entry.function.name).sort()).toEqual(["end_call", "transfer_call"]);
    const endCall = tools.find((entry) => entry.function.name === "end_call");
    expect(endCall?.function.parameters).toMatchObject({
      properties: { reason: { type: "string" }, result: { enum: expect.arrayContaining(["lead", "callback"]) } },
    });
    const transferCall = tools.find((entry) => entry.function.name === "transfer_call");
    expect(transferCall?.function.parameters).toMatchObject({ properties: { to: { enum: [TRANSFER_NUMBER] } } });

    llm.script({ text: "Nous sommes ouverts de 7 heures à 19 heures, du mardi au dimanche." });
    const answer = await turn(callId, { kind: "speech", transcript: "Vous ouvrez à quelle heure ?", confidence: 0.9 });
    expect(answer).toMatchObject({
      say: "Nous sommes ouverts de 7 heures à 19 heures, du mardi au dimanche.",
      action: "continue",
    });
    const second = llm.requests[1];
    expect(second?.body.messages.slice(1)).toEqual([
      { role: "user", content: expect.stringContaining("Greet") },
      { role: "assistant", content: "Bonjour, ici Léa de la boulangerie Dupain. Que puis-je pour vous ?" },
      { role: "user", content: "Vous ouvrez à quelle heure ?" },
    ]);
    expect(await conversationOf(callId)).toMatchObject({ mode: "llm", ended: false, outcome: null });
  });

  it("hangs up with the result end_call gives, and the completed call keeps it", async () => {
    const callId = await newCall();
    llm.script({ text: "Bonjour !" });
    await turn(callId, { kind: "start" });
    llm.script({
      text: "Parfait, je note votre commande. Au revoir !",
      toolCalls: [{ name: "end_call", arguments: { reason: "order placed", result: "lead" } }],
    });
    const bye = await turn(callId, {
      kind: "speech",
      transcript: "Je voudrais commander deux baguettes",
      confidence: null,
    });
    expect(bye).toMatchObject({
      say: "Parfait, je note votre commande. Au revoir !",
      action: "hangup",
      intent: "end_call",
    });
    expect(await conversationOf(callId)).toMatchObject({ ended: true, outcome: "lead" });

    // The call is over: a late turn hangs up without asking the model again.
    const late = await turn(callId, { kind: "silence" });
    expect(late).toMatchObject({ say: null, action: "hangup" });
    expect(llm.requests).toHaveLength(2);

    // The model's post-call analysis may fill the summary, not change the result end_call gave.
    llm.script(analysisReply({ result: "not_interested", summary: "Deux baguettes commandées." }));
    const completed = await postEvent(callId, "status:completed", {
      type: "status",
      status: "completed",
      duration_ms: 30_000,
    });
    expect(completed.status, completed.text).toBe(200);
    expect(
      await one<{ status: string; result: string }>("select status, result from calls where id = $1", [callId]),
    ).toMatchObject({ status: "completed", result: "lead" });
    const analysed = await analysedCall(callId, (row) => row.metadata.analysis?.source !== "rules:v1");
    expect(analysed).toMatchObject({
      result: "lead",
      summary: "Deux baguettes commandées.",
      metadata: { analysis: { source: "llm:local-test-model", result_rule: "scenario:outcome" } },
    });
  });

  it("transfers to an allowed number on transfer_call, and refuses any other number", async () => {
    const callId = await newCall();
    llm.script({
      text: "Je vous passe un conseiller.",
      toolCalls: [{ name: "transfer_call", arguments: { to: "+33999999999" } }],
    });
    const refused = await turn(callId, { kind: "speech", transcript: "Je veux parler à quelqu'un", confidence: 0.8 });
    expect(refused).toMatchObject({
      say: "Je ne peux pas vous transférer pour le moment. Comment puis-je vous aider autrement ?",
      action: "continue",
      transfer_to: null,
    });

    llm.script({
      text: "Je vous passe un conseiller.",
      toolCalls: [{ name: "transfer_call", arguments: { to: TRANSFER_NUMBER } }],
    });
    const transfer = await turn(callId, { kind: "speech", transcript: "Un humain, s'il vous plaît", confidence: 0.8 });
    expect(transfer).toMatchObject({
      say: "Je vous passe un conseiller.",
      action: "transfer",
      transfer_to: TRANSFER_NUMBER,
      intent: "transfer_call",
    });
  });

  it("apologises and hangs up when the provider fails, without inventing an answer", async () => {
    const callId = await newCall();
    llm.script({ status: 500, error: "The server had an error while processing your request." });
    const reply = await turn(callId, { kind: "start" });
    expect(reply).toMatchObject({ say: FALLBACK, action: "hangup", transfer_to: null, intent: null });
    expect(llm.requests).toHaveLength(1);
    expect(await conversationOf(callId)).toMatchObject({ ended: true, outcome: null, messages: [] });
  });

  it("leaves the agent's voicemail message without asking the model", async () => {
    await database().query("update agents set voice_parameters = voice_parameters || $2 where id = $1", [
      ids.agentId,
      JSON.stringify({ voicemail_message: "Bonjour, ici la boulangerie Dupain, rappelez-nous." }),
    ]);
    const callId = await newCall();
    const reply = await turn(callId, { kind: "voicemail" });
    expect(reply).toMatchObject({ say: "Bonjour, ici la boulangerie Dupain, rappelez-nous.", action: "hangup" });
    expect(llm.requests).toHaveLength(0);
    expect(await conversationOf(callId)).toMatchObject({ ended: true, outcome: "answering_machine" });
  });
});

describe("the streamed turn", () => {
  it("streams the speech settings and the text as the model writes it, then the whole reply", async () => {
    const callId = await newCall();
    const say = "Nous ouvrons à 7 heures. Et nous fermons à 19 heures, du mardi au dimanche.";
    llm.script({ text: say, pauseAfterWords: 5, pauseMs: 1_000 });
    const lines = await streamedTurn(callId, { attempt: 1, input: { kind: "start" }, idempotency_key: "k-stream" });
    expect(lines[0]?.line).toMatchObject({ type: "speech", speech: { synthesizer: { language: "fr-FR" } } });
    const deltas = lines.filter((entry) => entry.line.type === "delta");
    expect(deltas.map((entry) => entry.line.text).join("")).toBe(say);
    const last = lines.at(-1);
    expect(last?.line).toMatchObject({ type: "reply", say, action: "continue" });
    // The first sentence was there well before the model finished: the media node can speak it already.
    const firstSentence = deltas.find((entry) => String(entry.line.text).includes("heures."));
    expect(firstSentence).toBeDefined();
    expect((last?.at ?? 0) - (firstSentence?.at ?? 0)).toBeGreaterThan(700);
    console.info(
      `streamed turn: first sentence at ${Math.round(firstSentence?.at ?? 0)} ms, reply at ${Math.round(last?.at ?? 0)} ms`,
    );
    expect(await conversationOf(callId)).toMatchObject({
      messages: [{ role: "user" }, { role: "assistant", content: say }],
    });
  });

  it("answers a replayed key with the stored reply alone, no deltas", async () => {
    const callId = await newCall();
    llm.script({ text: "Bonjour !" });
    await turn(callId, { kind: "start" }, "k-replay-stream");
    const lines = await streamedTurn(callId, {
      attempt: 1,
      input: { kind: "start" },
      idempotency_key: "k-replay-stream",
    });
    expect(lines.map((entry) => entry.line.type)).toEqual(["reply"]);
    expect(lines[0]?.line).toMatchObject({ say: "Bonjour !" });
    expect(llm.requests).toHaveLength(1);
  });
});

describe("turn idempotency and concurrency", () => {
  it("answers a repeated turn with the stored reply without advancing the conversation", async () => {
    const callId = await newCall();
    llm.script({ text: "Bonjour, que puis-je pour vous ?" });
    const first = await turn(callId, { kind: "start" }, `${callId}:1:turn:1:abc`);
    const again = await turn(callId, { kind: "start" }, `${callId}:1:turn:1:abc`);
    expect(again).toEqual(first);
    expect(llm.requests).toHaveLength(1);
    expect(await conversationOf(callId)).toMatchObject({ messages: [{ role: "user" }, { role: "assistant" }] });

    // The same key on another dial is another turn; a new key of this dial advances it.
    llm.script({ text: "Vous voulez des baguettes ?" });
    await turn(callId, { kind: "speech", transcript: "Du pain", confidence: 0.9 }, `${callId}:1:turn:2:abc`);
    expect(llm.requests).toHaveLength(2);
    expect((await conversationOf(callId))?.messages).toHaveLength(4);
  });

  it("keeps no lock while the model answers: a concurrent turn saves first and the slow one gets 409", async () => {
    const callId = await newCall();
    llm.script(
      { text: "Réponse lente. Vraiment lente.", pauseAfterWords: 1, pauseMs: 2_000 },
      { text: "Réponse rapide." },
    );
    const slow = streamedTurn(callId, { attempt: 1, input: { kind: "start" }, idempotency_key: "k-slow" });
    await expect.poll(() => llm.requests.length).toBe(1);
    const fastStarted = performance.now();
    const fast = await turn(callId, { kind: "speech", transcript: "Allô ?", confidence: 0.9 }, "k-fast");
    // Answered while the slow turn still waits on its model: no row lock is held across the model call.
    expect(performance.now() - fastStarted).toBeLessThan(1_800);
    expect(fast).toMatchObject({ say: "Réponse rapide." });
    const lines = await slow;
    expect(lines.at(-1)?.line).toMatchObject({ type: "error", status: 409, code: "CONFLICT" });
    expect(await conversationOf(callId)).toMatchObject({
      messages: [
        { role: "user", content: "Allô ?" },
        { role: "assistant", content: "Réponse rapide." },
      ],
    });

    // Asked again (what the media node does on 409), the turn runs on the state as it now is.
    llm.script({ text: "Je reprends." });
    const retried = await turn(callId, { kind: "start" }, "k-slow");
    expect(retried).toMatchObject({ say: "Je reprends." });
    expect((await conversationOf(callId))?.messages).toHaveLength(4);
  });
});

describe("post-call analysis by the model", () => {
  async function completedLlmCall(callId: string): Promise<void> {
    const turns = [
      ["agent", "Bonjour, ici Léa de la boulangerie Dupain."],
      ["contact", "Rappelez-moi demain matin, je suis occupé."],
    ];
    for (const [sequence, [speaker, text]] of turns.entries()) {
      const posted = await postEvent(callId, `turn:${sequence}`, { type: "turn", sequence, speaker, text });
      expect(posted.status, posted.text).toBe(200);
    }
    const completed = await postEvent(callId, "status:completed", {
      type: "status",
      status: "completed",
      duration_ms: 12_000,
    });
    expect(completed.status, completed.text).toBe(200);
  }

  it("refines the rules' analysis after the event is answered, and records the model as its source", async () => {
    const callId = await newCall();
    llm.script(
      analysisReply({
        result: "callback",
        sentiment: "neutral",
        summary: "Le contact demande à être rappelé demain matin.",
        key_phrases: ["rappelez-moi demain matin", "je suis occupé"],
      }),
    );
    await completedLlmCall(callId);
    const analysed = await analysedCall(callId, (row) => row.metadata.analysis?.source !== "rules:v1");
    expect(analysed).toMatchObject({
      result: "callback",
      sentiment: "neutral",
      summary: "Le contact demande à être rappelé demain matin.",
      key_phrases: ["rappelez-moi demain matin", "je suis occupé"],
      metadata: { analysis: { source: "llm:local-test-model", method: "rules:v1" } },
    });
    const [request] = llm.requests;
    expect(request?.body.tool_choice).toMatchObject({ function: { name: "record_call_analysis" } });
    expect(JSON.stringify(request?.body.messages)).toContain("Rappelez-moi demain matin");
  });

  it("keeps the rules' analysis when the model answers garbage or fails", async () => {
    for (const reply of [
      { text: "Je pense que l'appel s'est bien passé." },
      analysisReply({ sentiment: "ecstatic" }),
      { status: 500, error: "The server had an error while processing your request." },
      { status: 500, error: "The server had an error while processing your request." },
    ] as const) {
      const callId = await newCall();
      llm.script(reply);
      // A 500 is tried twice (maxRetries 1); a garbage answer once.
      if ("status" in reply) llm.script(reply);
      await completedLlmCall(callId);
      const analysed = await analysedCall(callId, (row) => Boolean(row.metadata.analysis?.llm_failure));
      expect(analysed.metadata.analysis).toMatchObject({ source: "rules:v1", llm_failure: expect.any(String) });
      expect(analysed).toMatchObject({ result: "callback", summary: expect.stringContaining("rules:turn-intent") });
    }
  });
});

describe("the local OpenAI-compatible server", () => {
  it("answers non-streaming completions, tool calls included, in the shape the SDK reads", async () => {
    const model = createOpenAICompatible({ name: "local", baseURL: llm.baseUrl }).chatModel("plain-model");
    llm.script({ text: "Bonjour.", toolCalls: [{ name: "end_call", arguments: { reason: "done", result: "lead" } }] });
    const result = await generateText({
      model,
      prompt: "Dites bonjour.",
      tools: { end_call: tool({ inputSchema: z.object({ reason: z.string(), result: z.string() }) }) },
    });
    expect(result.text).toBe("Bonjour.");
    expect(result.toolCalls.map((call) => [call.toolName, call.input])).toEqual([
      ["end_call", { reason: "done", result: "lead" }],
    ]);
    expect(result.finishReason).toBe("tool-calls");
    expect(llm.requests[0]?.body).toMatchObject({
      model: "plain-model",
      messages: [{ role: "user", content: "Dites bonjour." }],
    });
    expect(llm.requests[0]?.body.stream).toBeFalsy();
  });
});
