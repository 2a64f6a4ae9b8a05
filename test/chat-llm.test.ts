import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { createTenant, customerNumber, type MessageBody, type Tenant } from "./conformance/botlive/client.js";
import { useDatabase } from "./support/database.js";
import { type OpenAiCompatibleServer, startOpenAiCompatibleServer } from "./support/openai-compatible-server.js";
import { startThrowawayEdge } from "./support/throwaway-edge.js";

/**
 * The chat engine's LLM mode: a worker whose LLM_BASE_URL points at a local OpenAI-compatible server, so the `ai`
 * SDK's real client code runs (streamText with tools); the test scripts what "the model" answers (a
 * record_order_slots tool call, then text) and checks what the edge sent and what the order became.
 */

const db = useDatabase();
const stops: Array<() => Promise<void>> = [];
const MODEL = "local-chat-model";
let edgeUrl = "";
let llm: OpenAiCompatibleServer;
let tenant: Tenant;

beforeAll(async () => {
  llm = await startOpenAiCompatibleServer();
  stops.push(llm.stop);
  edgeUrl = await startThrowawayEdge({
    databaseUrl: inject("databaseUrl"),
    apiPassword: inject("apiPassword"),
    vars: { LLM_BASE_URL: llm.baseUrl, LLM_API_KEY: "sk-local-test", LLM_MODEL: MODEL },
    environment: "test",
    stops,
  });
  tenant = await createTenant(db(), "botlive-llm");
}, 120_000);

afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
});

beforeEach(() => {
  llm.requests.length = 0;
});

async function send(path: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${edgeUrl}/botlive${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...tenant.headers },
    body: JSON.stringify({ company_id: tenant.companyId, ...body }),
  });
}

describe("the LLM agent on /botlive/message", () => {
  it("records order slots through the model's tool call and answers with the model's text", async () => {
    llm.script(
      { toolCalls: [{ name: "record_order_slots", arguments: { produit: "lingettes", zone: "Cocody" } }] },
      { text: "C'est noté : lingettes, livraison à Cocody. Envoyez le dépôt de 2000 FCFA." },
    );
    const user = customerNumber();
    const response = await send("/message", { user_id: user, message: "Je veux des lingettes, livrées à Cocody" });
    expect(response.status).toBe(200);
    const body = (await response.json()) as MessageBody;
    expect(body.mode).toBe(`llm:${MODEL}`);
    expect(body.response).toBe("C'est noté : lingettes, livraison à Cocody. Envoyez le dépôt de 2000 FCFA.");
    expect(body.intent).toBe("order");
    expect(body.order_status).toMatchObject({
      produit: "✅PRODUIT:lingettes[MESSAGE]",
      zone: "✅ZONE:Cocody-1500 FCFA[MESSAGE]",
      completion_rate: 50,
    });
    expect(body.next_step).toBe("paiement");

    const [first, second] = llm.requests;
    expect(first?.body.model).toBe(MODEL);
    expect(first?.body.stream).toBe(true);
    expect(first?.body.tools?.map((tool) => tool.function.name).sort()).toEqual([
      "record_order_slots",
      "request_human",
    ]);
    expect(first?.body.messages.at(-1)).toMatchObject({
      role: "user",
      content: "Je veux des lingettes, livrées à Cocody",
    });
    // The tool's result goes back to the model, which then writes the reply.
    const toolResult = second?.body.messages.find((message) => message.role === "tool");
    expect(JSON.stringify(toolResult?.content)).toContain("paiement");
  });

  it("streams the model's tokens over SSE as they arrive", async () => {
    llm.script({ text: "Bonjour ! Quel produit souhaitez-vous ?" });
    const response = await send("/message/stream", { user_id: customerNumber(), message: "Bonjour" });
    const events = (await response.text())
      .split("\n")
      .filter((line) => line.startsWith("data:"))
      .map((line) => JSON.parse(line.slice(5)) as { event: string; content?: string; mode?: string });
    expect(events[0]?.event).toBe("start");
    expect(events.at(-1)).toMatchObject({ event: "done", mode: `llm:${MODEL}`, next_step: "produit" });
    const tokens = events.filter((event) => event.event === "token").map((event) => event.content);
    expect(tokens.join("")).toBe("Bonjour ! Quel produit souhaitez-vous ?");
    expect(tokens.length).toBeGreaterThan(3);
  });

  it("gives the model the session's history in order", async () => {
    const user = customerNumber();
    llm.script({ text: "Bonjour ! Que voulez-vous commander ?" }, { text: "Très bien." });
    await send("/message", { user_id: user, message: "Bonjour" });
    await send("/message", { user_id: user, message: "Des lingettes" });
    const messages = llm.requests[1]?.body.messages.filter((message) => message.role !== "system");
    expect(messages).toEqual([
      { role: "user", content: "Bonjour" },
      { role: "assistant", content: "Bonjour ! Que voulez-vous commander ?" },
      { role: "user", content: "Des lingettes" },
    ]);
  });

  it("falls back to the rules, and says so, when the provider fails", async () => {
    llm.script({ status: 500, error: "model overloaded" });
    const response = await send("/message", { user_id: customerNumber(), message: "Bonjour" });
    const body = (await response.json()) as MessageBody;
    expect(response.status).toBe(200);
    expect(body.mode).toBe("rules:v1");
    expect(body.response).toMatch(/^Bonjour !/);
  });
});

describe("the LLM agent on Meuble de France's /api/chat", () => {
  async function chat(message: string, sessionId: string): Promise<Record<string, unknown>> {
    const response = await fetch(`${edgeUrl}/api/chat`, {
      method: "POST",
      headers: { "content-type": "application/json", ...tenant.headers },
      body: JSON.stringify({ message, session_id: sessionId }),
    });
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  }

  it("searches the catalogue and opens a ticket through the model's tool calls", async () => {
    const sku = `TBL-${crypto.randomUUID().slice(0, 6)}`;
    await db().query("insert into products (org_id, sku, name, category, price) values ($1, $2, $3, 'salle', 349)", [
      tenant.orgId,
      sku,
      "Table Chêne Massif",
    ]);
    llm.script(
      { toolCalls: [{ name: "search_products", arguments: { query: "table chene" } }] },
      {
        toolCalls: [
          {
            name: "create_ticket",
            arguments: {
              category: "défaut_fabrication",
              severity: "high",
              description: "Plateau fendu",
              product_sku: sku,
            },
          },
        ],
      },
      { text: "J'ai ouvert un ticket pour votre table fendue." },
    );
    const body = await chat("Ma table en chêne est fendue, pouvez-vous ouvrir un ticket ?", `llm-${sku}`);
    expect(body.response).toBe("J'ai ouvert un ticket pour votre table fendue.");
    expect(body.ticket_id).toMatch(/^TKT-\d{4}-\d{6}$/);
    const { rows } = await db().query<{ product_sku: string; description: string }>(
      "select product_sku, description from tickets where org_id = $1 and code = $2",
      [tenant.orgId, body.ticket_id],
    );
    expect(rows).toEqual([{ product_sku: sku, description: "Plateau fendu" }]);

    // What the search tool gave back to the model is the organisation's matching product.
    const afterSearch = llm.requests[1]?.body.messages.find((message) => message.role === "tool");
    expect(JSON.stringify(afterSearch?.content)).toContain(sku);
    const tools = llm.requests[0]?.body.tools?.map((tool) => tool.function.name).sort();
    expect(tools).toEqual(["create_ticket", "request_human", "search_products"]);
  });
});
