import { describe, expect, inject, it } from "vitest";
import { ERROR_FIELDS, resultOf } from "./support/accounts.js";
import { holdDialling, useDatabase } from "./support/database.js";
import { graphql, rest } from "./support/http.js";

/** GraphQL parity: the same campaign service as MiniBotPanel's REST surface, with typed errors. */

const key = () => ({ "x-api-key": inject("apiPassword") });
const database = useDatabase();

const CAMPAIGN_FIELDS =
  "id number name status maxConcurrentCalls batchSize retryEnabled maxRetries startedAt agent { slug }";

type Campaign = {
  id: string;
  number: number;
  name: string;
  status: string;
  maxConcurrentCalls: number;
  batchSize: number;
  retryEnabled: boolean;
  maxRetries: number;
  startedAt: string | null;
  agent: { slug: string };
};

type Outcome = {
  __typename: string;
  data?: Campaign;
  code?: string;
  message?: string;
  action?: string;
  from?: string;
  field?: string;
  issues?: unknown[];
};

/** Runs `field` with the declared variables passed straight through (`$id: ID!` becomes `id: $id`). */
async function mutate(field: string, declarations: string, variables: Record<string, unknown>): Promise<Outcome> {
  const args = declarations.replace(/\$(\w+): [^,]+/g, "$1: $$$1");
  const response = await graphql(
    `mutation (${declarations}) {
      ${field}(${args}) {
        ${ERROR_FIELDS}
        ... on InvalidTransitionError { action from }
        ... on RejectedInputError { field }
        ... on Mutation${field[0]?.toUpperCase()}${field.slice(1)}Success { data ${field === "deleteCampaign" ? "" : `{ ${CAMPAIGN_FIELDS} }`} }
      }
    }`,
    variables,
    key(),
  );
  return resultOf<Outcome>(response, field);
}

/** Creates a campaign whose calls the dialer leaves alone (these tests check state and counts). */
async function create(input: Record<string, unknown>): Promise<Outcome> {
  const outcome = await mutate("createCampaign", "$input: CreateCampaignInput!", { input });
  if (outcome.data) await holdDialling(database(), outcome.data.number);
  return outcome;
}
const act = (action: string, id: string) => mutate(`${action}Campaign`, "$id: ID!", { id });

async function contactIds(numbers: number[]): Promise<string[]> {
  const response = await graphql<{ contacts: { edges: Array<{ node: { id: string; number: number } }> } }>(
    `{ contacts(first: 100) { edges { node { id number } } } }`,
    undefined,
    key(),
  );
  const edges = response.body.data?.contacts.edges ?? [];
  return numbers.map((number) => edges.find((edge) => edge.node.number === number)?.node.id ?? "missing");
}

describe("campaign mutations", () => {
  it("creates by scenario and contact numbers with the documented defaults, as REST sees it", async () => {
    const created = await create({ name: "GraphQL campaign", scenario: "scenario_vin", contactNumbers: [1, 2] });
    expect(created.__typename).toBe("MutationCreateCampaignSuccess");
    expect(created.data).toMatchObject({
      name: "GraphQL campaign",
      status: "pending",
      maxConcurrentCalls: 5,
      batchSize: 10,
      retryEnabled: true,
      maxRetries: 2,
      agent: { slug: "scenario_vin" },
    });
    const viaRest = await rest("GET", `/api/campaigns/${created.data?.number}`, { headers: key() });
    expect(viaRest.body).toMatchObject({ name: "GraphQL campaign", stats: { total: 2, pending: 2 } });
  });

  it("creates by agent id and contact ids", async () => {
    const agents = await graphql<{ agents: { edges: Array<{ node: { id: string; slug: string } }> } }>(
      `{ agents(first: 50) { edges { node { id slug } } } }`,
      undefined,
      key(),
    );
    const agentId = agents.body.data?.agents.edges.find((edge) => edge.node.slug === "scenario_test_demo")?.node.id;
    const created = await create({ name: "By ids", agentId, contactIds: await contactIds([3, 4, 5]), maxRetries: 0 });
    expect(created.data).toMatchObject({ agent: { slug: "scenario_test_demo" }, maxRetries: 0 });
    const { rows } = await database().query(
      "select count(*)::int as n from calls c join campaigns k on k.id = c.campaign_id where k.number = $1",
      [created.data?.number],
    );
    expect(rows[0].n).toBe(3);
  });

  it("returns typed errors: ValidationError, RejectedInputError", async () => {
    const invalid = await create({ name: "", scenario: "scenario_vin", contactNumbers: [1], maxConcurrentCalls: 51 });
    expect(invalid.__typename).toBe("ValidationError");
    expect(invalid.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: ["name"] }),
        expect.objectContaining({ path: ["maxConcurrentCalls"] }),
      ]),
    );
    const both = await create({
      name: "x",
      scenario: "scenario_vin",
      contactNumbers: [1],
      contactIds: await contactIds([2]),
    });
    expect(both.__typename).toBe("ValidationError");
    const unknown = await create({ name: "x", scenario: "scenario_vin", contactNumbers: [1, 424242] });
    expect(unknown).toMatchObject({
      __typename: "RejectedInputError",
      field: "contact_ids",
      message: "Some contact IDs are invalid. Found 1 of 2",
    });
  });

  it("runs the lifecycle, refusing invalid transitions with InvalidTransitionError", async () => {
    const created = await create({ name: "Lifecycle", scenario: "scenario_vin", contactNumbers: [1, 2, 3] });
    const id = created.data?.id ?? "";
    expect((await act("start", id)).data).toMatchObject({ status: "running", startedAt: expect.any(String) });
    expect(await act("start", id)).toMatchObject({
      __typename: "InvalidTransitionError",
      code: "INVALID_TRANSITION",
      action: "start",
      from: "running",
      message: "Campaign is already running",
    });
    const renamed = await mutate("updateCampaign", "$id: ID!, $input: UpdateCampaignInput!", {
      id,
      input: { name: "Renamed" },
    });
    expect(renamed).toMatchObject({ __typename: "InvalidTransitionError", action: "update", from: "running" });
    const paced = await mutate("updateCampaign", "$id: ID!, $input: UpdateCampaignInput!", {
      id,
      input: { maxConcurrentCalls: 9 },
    });
    expect(paced.data?.maxConcurrentCalls).toBe(9);
    expect((await act("pause", id)).data?.status).toBe("paused");
    expect((await act("resume", id)).data?.status).toBe("running");
    expect((await act("stop", id)).data?.status).toBe("cancelled");
    expect(await act("delete", id)).toMatchObject({ __typename: "InvalidTransitionError", from: "cancelled" });
    const { rows } = await database().query(
      "select c.status, count(*)::int as n from calls c join campaigns k on k.id = c.campaign_id where k.number = $1 group by 1",
      [created.data?.number],
    );
    expect(rows).toEqual([{ status: "cancelled", n: 3 }]);
  });

  it("deletes a pending campaign, after which its id resolves to nothing", async () => {
    const created = await create({ name: "To delete", scenario: "scenario_vin", contactNumbers: [1] });
    const id = created.data?.id ?? "";
    expect(await act("delete", id)).toMatchObject({ __typename: "MutationDeleteCampaignSuccess", data: id });
    expect(await act("start", id)).toMatchObject({ __typename: "NotFoundError" });
  });

  it("filters a campaign's calls by status and result", async () => {
    const created = await create({ name: "Filtered", scenario: "scenario_vin", contactNumbers: [1, 2, 3] });
    await database().query(
      `update calls set status = 'completed', result = 'callback'
       where number = (select min(c.number) from calls c join campaigns k on k.id = c.campaign_id where k.number = $1)`,
      [created.data?.number],
    );
    const response = await graphql<{ node: { calls: { edges: Array<{ node: { result: string; status: string } }> } } }>(
      `query ($id: ID!) { node(id: $id) { ... on Campaign {
        calls(filter: { result: callback }) { edges { node { result status } } } } } }`,
      { id: created.data?.id },
      key(),
    );
    expect(response.body.data?.node.calls.edges.map((edge) => edge.node)).toEqual([
      { result: "callback", status: "completed" },
    ]);
  });
});
