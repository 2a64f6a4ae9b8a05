import { createRequire } from "node:module";
import type { AgentTurnRequest, AgentTurnStreamLine } from "@switchboard/schema/internal/calls";
import { describe, expect, it } from "vitest";
import { EdgeClient } from "../edge/client.js";
import { agentReply } from "../testing/fake-edge.js";
import { hookBase } from "../testing/jambonz-hooks.js";
import { Conversation } from "./conversation.js";
import { CallRegistry, type CallTag } from "./registry.js";
import type { CallReporter } from "./reporter.js";
import { hookUrls, type Verbs } from "./verbs.js";

type ValidationResult = { valid: boolean; errors: Array<{ path: string; message: string }> };
const jambonzSchema = createRequire(import.meta.url)("@jambonz/schema") as {
  validateApp: (app: unknown) => ValidationResult;
};

const TAG: CallTag = {
  call_id: "0b8f5a4e-2a43-4f7e-9d6e-5a1f3c2b7e10",
  org_id: "6f1d2c3b-4a59-4e6d-8f70-112233445566",
  attempt: 1,
};
const SID = "b1c2d3e4-0000-4000-8000-000000000002";
const urls = hookUrls("https://media.example.com");
const SPEECH = agentReply().speech;

/** One answer of the fake edge: lines written when the test says so. */
class ScriptedAnswer {
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  readonly body = new ReadableStream<Uint8Array>({
    start: (controller) => {
      this.controller = controller;
    },
  });

  write(...lines: AgentTurnStreamLine[]): this {
    for (const line of lines) this.controller.enqueue(new TextEncoder().encode(`${JSON.stringify(line)}\n`));
    return this;
  }

  end(): void {
    this.controller.close();
  }
}

/** The edge's turn endpoint as a fetch: each request takes the next scripted answer; requests are recorded. */
function streamingEdge(answers: ScriptedAnswer[]) {
  const requests: Array<{ accept: string | null; body: AgentTurnRequest }> = [];
  const fetchImpl = (async (_url: URL, init: RequestInit) => {
    const headers = new Headers(init.headers);
    requests.push({ accept: headers.get("accept"), body: JSON.parse(String(init.body)) as AgentTurnRequest });
    const answer = answers.shift();
    if (!answer) return new Response("no scripted answer", { status: 500 });
    return new Response(answer.body, { status: 200, headers: { "content-type": "application/x-ndjson" } });
  }) as typeof fetch;
  return { requests, edge: new EdgeClient({ edgeUrl: "http://edge.test", secret: "s".repeat(40), fetch: fetchImpl }) };
}

function conversationWith(edge: EdgeClient, options: { withContinue?: boolean } = {}) {
  const turns: Array<{ text: string; latency_ms?: number | null }> = [];
  const reporter = {
    status: () => {},
    amd: () => {},
    turn: (_call: unknown, details: { speaker: string; text: string; latency_ms?: number | null }) => {
      if (details.speaker === "agent") turns.push({ text: details.text, latency_ms: details.latency_ms });
    },
  } as unknown as CallReporter;
  const hookUrlsUsed = options.withContinue === false ? { ...urls, continue: undefined } : urls;
  const conversation = new Conversation({
    edge,
    reporter,
    registry: new CallRegistry(),
    urls: hookUrlsUsed,
    streamGraceMs: 20,
    conflictRetryMs: 5,
    log: () => {},
  });
  return { conversation, turns };
}

const speech = (transcript: string) => ({
  ...hookBase(SID, TAG),
  reason: "speechDetected",
  speech: { is_final: true, alternatives: [{ transcript, confidence: 0.9 }] },
});

function expectValid(verbs: Verbs): void {
  expect(jambonzSchema.validateApp(verbs)).toEqual({ valid: true, errors: [] });
}

const FIRST = "Nous ouvrons à 7 heures. ";
const REST = "Et nous fermons à 19 heures, du mardi au dimanche.";

describe("a streamed agent reply", () => {
  it("speaks the first sentence before the reply is complete, then the rest on the continue hook", async () => {
    const answer = new ScriptedAnswer();
    const { edge, requests } = streamingEdge([answer]);
    const { conversation, turns } = conversationWith(edge);
    answer.write({ type: "speech", speech: SPEECH }, { type: "delta", text: "Nous ouvrons " });
    answer.write({ type: "delta", text: "à 7 heures. " }, { type: "delta", text: "Et nous " });

    const first = await conversation.gather(speech("Vous ouvrez à quelle heure ?"));
    expect(first.map((verb) => verb.verb)).toEqual(["config", "say", "redirect"]);
    expect(first[1]).toMatchObject({ text: "Nous ouvrons à 7 heures." });
    expect(first[2]).toMatchObject({ actionHook: "https://media.example.com/jambonz/continue" });
    expectValid(first);
    expect(turns).toEqual([]);

    const rest = conversation.continue(hookBase(SID, TAG));
    answer.write({ type: "delta", text: "fermons à 19 heures, du mardi au dimanche." });
    answer.write({ type: "reply", ...agentReply({ say: `${FIRST}${REST}`.trim(), step: null }) }).end();
    const second = await rest;
    expect(second.map((verb) => verb.verb)).toEqual(["config", "gather"]);
    expect(second[1]).toMatchObject({ say: { text: REST }, actionHook: urls.gather });
    expectValid(second);
    // The transcript holds the whole reply once, timed to its first words.
    expect(turns).toEqual([{ text: `${FIRST}${REST}`.trim(), latency_ms: expect.any(Number) }]);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.accept).toBe("application/x-ndjson");
    expect(requests[0]?.body.idempotency_key).toMatch(new RegExp(`^${TAG.call_id}:1:turn:1:`));
  });

  it("answers a reply that arrives at once as one verb array", async () => {
    const answer = new ScriptedAnswer();
    const { edge } = streamingEdge([answer]);
    const { conversation } = conversationWith(edge);
    answer.write(
      { type: "speech", speech: SPEECH },
      { type: "delta", text: "Bonjour. " },
      { type: "delta", text: "Au revoir." },
      { type: "reply", ...agentReply({ say: "Bonjour. Au revoir.", action: "hangup" }) },
    );
    answer.end();
    const verbs = await conversation.gather(speech("Allô ?"));
    expect(verbs.map((verb) => verb.verb)).toEqual(["config", "say", "hangup"]);
    expect(verbs[1]).toMatchObject({ text: "Bonjour. Au revoir." });
    expectValid(verbs);
  });

  it("says the whole reply when the agent took back what it streamed", async () => {
    const answer = new ScriptedAnswer();
    const { edge } = streamingEdge([answer]);
    const { conversation } = conversationWith(edge);
    answer.write({ type: "speech", speech: SPEECH }, { type: "delta", text: "Je vous passe un conseiller. " });
    const first = await conversation.gather(speech("Un humain"));
    expect(first[1]).toMatchObject({ text: "Je vous passe un conseiller." });
    const refusal = "Je ne peux pas vous transférer pour le moment.";
    answer.write({ type: "reply", ...agentReply({ say: refusal }) }).end();
    const rest = await conversation.continue(hookBase(SID, TAG));
    expect(rest[1]).toMatchObject({ say: { text: refusal } });
  });

  it("asks a conflicting turn again with the same key, and speaks the answer it then gets", async () => {
    const conflict = new ScriptedAnswer();
    const replay = new ScriptedAnswer();
    const { edge, requests } = streamingEdge([conflict, replay]);
    const { conversation } = conversationWith(edge);
    conflict.write({ type: "error", status: 409, code: "CONFLICT", message: "another turn" }).end();
    replay.write({ type: "reply", ...agentReply({ say: "Bien reçu." }) }).end();
    const verbs = await conversation.gather(speech("Oui"));
    expect(verbs.map((verb) => verb.verb)).toEqual(["config", "gather"]);
    expect(verbs[1]).toMatchObject({ say: { text: "Bien reçu." } });
    expect(requests).toHaveLength(2);
    expect(requests[1]?.body.idempotency_key).toBe(requests[0]?.body.idempotency_key);
  });

  it("ends the call politely when the turn keeps conflicting", async () => {
    const answers = [new ScriptedAnswer(), new ScriptedAnswer()];
    for (const answer of answers) answer.write({ type: "error", status: 409, code: "CONFLICT", message: "x" }).end();
    const { edge } = streamingEdge(answers);
    const { conversation } = conversationWith(edge);
    const verbs = await conversation.gather(speech("Oui"));
    expect(verbs.map((verb) => verb.verb)).toEqual(["say", "hangup"]);
  });

  it("waits for the whole reply on a transport without a continue hook", async () => {
    const answer = new ScriptedAnswer();
    const { edge } = streamingEdge([answer]);
    const { conversation } = conversationWith(edge, { withContinue: false });
    answer.write({ type: "speech", speech: SPEECH }, { type: "delta", text: FIRST });
    const verbs = conversation.gather(speech("Vous ouvrez ?"));
    setTimeout(() => {
      answer.write({ type: "reply", ...agentReply({ say: `${FIRST}${REST}`.trim() }) }).end();
    }, 60);
    const answered = await verbs;
    expect(answered.map((verb) => verb.verb)).toEqual(["config", "gather"]);
    expect(answered[1]).toMatchObject({ say: { text: `${FIRST}${REST}`.trim() } });
  });

  it("numbers each turn with a new key", async () => {
    const answers = [new ScriptedAnswer(), new ScriptedAnswer()];
    for (const answer of answers) answer.write({ type: "reply", ...agentReply() }).end();
    const { edge, requests } = streamingEdge(answers);
    const { conversation } = conversationWith(edge);
    await conversation.gather(speech("Oui"));
    await conversation.gather(speech("Non"));
    const keys = requests.map((request) => request.body.idempotency_key);
    expect(keys[0]).toMatch(/:1:turn:1:/);
    expect(keys[1]).toMatch(/:1:turn:2:/);
  });
});
