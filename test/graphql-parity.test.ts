import { encodeGlobalID } from "@pothos/plugin-relay";
import { beforeAll, describe, expect, it } from "vitest";
import {
  createAgent,
  createCampaign,
  settleCall,
  signUp,
  type VoiceEraUser,
  voiceEra,
} from "./conformance/voiceera/client.js";
import { useDatabase } from "./support/database.js";
import { graphql } from "./support/http.js";

/** VoiceERA's agents, call details and analytics through GraphQL: the same services, so the same answers. */

const db = useDatabase();
let user: VoiceEraUser;
let campaignId: string;
let completedId: string;
const auth = () => ({ authorization: `Bearer ${user.token}` });

beforeAll(async () => {
  user = await signUp("parity");
  const agent = await createAgent(user.caller, "Parity Sales Agent");
  campaignId = (await createCampaign(user.caller, agent.id, ["+1234567890", "+1234567891"])).id;
  completedId = await settleCall(db(), campaignId, "+1234567890", {
    durationMs: 90_000,
    sentiment: "positive",
    emotions: ["satisfied"],
    keyPhrases: ["billing"],
    summary: "Billing question answered.",
    cost: 0.25,
    createdAt: "2024-03-04T10:00:00Z",
    turns: [
      ["contact", "I have a billing issue."],
      ["agent", "Let me fix that billing issue."],
    ],
  });
  await settleCall(db(), campaignId, "+1234567891", { status: "no_answer", createdAt: "2024-03-05T10:00:00Z" });
});

async function gql<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const response = await graphql<T>(query, variables, auth());
  expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
  return response.body.data as T;
}

describe("GraphQL parity with VoiceERA", () => {
  it("agents: search and status filter as GET /agents does", async () => {
    const dormant = await createAgent(user.caller, "Dormant Sales Bot");
    await voiceEra("PUT", `/agents/${dormant.id}`, user.caller, { body: { status: "inactive" } });
    const names = async (args: string) => {
      const data = await gql<{ agents: { edges: Array<{ node: { name: string } }> } }>(
        `{ agents(${args}) { edges { node { name } } } }`,
      );
      return data.agents.edges.map((edge) => edge.node.name).sort();
    };
    expect(await names(`search: "sales"`)).toEqual(["Dormant Sales Bot", "Parity Sales Agent"]);
    expect(await names(`search: "sales", status: active`)).toEqual(["Parity Sales Agent"]);
    expect(await names(`search: "100%"`)).toEqual([]);
  });

  it("callAnalytics gives the figures of /analytics/calls, /sentiment and /top-phrases", async () => {
    const period = `campaign_id=${campaignId}&start_date=2024-03-01&end_date=2024-03-31`;
    const rest = async (path: string) => (await voiceEra("GET", `/analytics/${path}?${period}`, user.caller)).body;
    const data = await gql<{ callAnalytics: Record<string, unknown> }>(
      `query ($campaignId: ID, $from: DateTime, $to: DateTime) {
        callAnalytics(campaignId: $campaignId, from: $from, to: $to) {
          statistics { totalCalls completedCalls failedCalls averageDurationSeconds successRate costPerCall }
          sentiment { positive neutral negative positivePercentage neutralPercentage negativePercentage }
          topPhrases(limit: 3) { phrase count frequency }
        }
      }`,
      {
        campaignId: encodeGlobalID("Campaign", campaignId),
        from: "2024-03-01T00:00:00Z",
        to: "2024-03-31T23:59:59.999Z",
      },
    );
    const calls = (await rest("calls")) as Record<string, number>;
    expect(calls.total_calls).toBe(2);
    expect(data.callAnalytics.statistics).toEqual({
      totalCalls: calls.total_calls,
      completedCalls: calls.completed_calls,
      failedCalls: calls.failed_calls,
      averageDurationSeconds: calls.average_duration,
      successRate: calls.success_rate,
      costPerCall: calls.cost_per_call,
    });
    const sentiment = (await rest("sentiment")) as Record<string, number>;
    expect(data.callAnalytics.sentiment).toEqual({
      positive: sentiment.positive,
      neutral: sentiment.neutral,
      negative: sentiment.negative,
      positivePercentage: sentiment.positive_percentage,
      neutralPercentage: sentiment.neutral_percentage,
      negativePercentage: sentiment.negative_percentage,
    });
    const phrases = await voiceEra("GET", `/analytics/top-phrases?${period}&limit=3`, user.caller);
    expect(data.callAnalytics.topPhrases).toEqual(phrases.body);
    expect(data.callAnalytics.topPhrases).toContainEqual({ phrase: "billing issue", count: 1, frequency: 100 });
  });

  it("a call's details: transcript, summary, sentiment, emotions and key phrases, as GET /call-logs/{id}", async () => {
    const data = await gql<{ node: Record<string, unknown> }>(
      `query ($id: ID!) { node(id: $id) { ... on Call {
        summary sentiment emotions keyPhrases transcript { speaker text }
      } } }`,
      { id: encodeGlobalID("Call", completedId) },
    );
    const log = (await voiceEra("GET", `/call-logs/${completedId}`, user.caller)).body as Record<string, unknown>;
    expect(data.node).toEqual({
      summary: log.summary,
      sentiment: log.sentiment,
      emotions: log.emotions,
      keyPhrases: log.key_phrases,
      transcript: [
        { speaker: "contact", text: "I have a billing issue." },
        { speaker: "agent", text: "Let me fix that billing issue." },
      ],
    });
  });
});
