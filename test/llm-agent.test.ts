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

async function turn(callId: string, input: unknown): Promise<TurnBody> {
  const started = performance.now();
  const response = await signedPost(`/internal/v1/calls/${callId}/turn`, { attempt: 1, input });
  // A figure for the report, not an assertion: edge + local model server, wrangler dev on this machine.
  console.info(`llm turn ${JSON.stringify(input)} answered in ${Math.round(performance.now() - started)} ms`);
  expect(response.status, response.text).toBe(200);
  return response.body as TurnBody;
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

    const completed = await signedPost(`/internal/v1/calls/${callId}/events`, {
      idempotency_key: `${callId}:1:status:completed`,
      occurred_at: new Date().toISOString(),
      attempt: 1,
      jambonz_call_sid: `sid-${callId}`,
      type: "status",
      status: "completed",
      duration_ms: 30_000,
    });
    expect(completed.status, completed.text).toBe(200);
    expect(
      await one<{ status: string; result: string }>("select status, result from calls where id = $1", [callId]),
    ).toMatchObject({ status: "completed", result: "lead" });
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
