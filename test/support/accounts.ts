import { expect } from "vitest";
import { type GraphqlResponse, graphql } from "./http.js";

/** Fields selected on every mutation result union, whichever member comes back. */
export const ERROR_FIELDS = `
  __typename
  ... on Error { code message }
  ... on ValidationError { issues { path message } }
`;

export type MutationError = {
  __typename: string;
  code?: string;
  message?: string;
  issues?: Array<{ path: string[]; message: string }>;
};

export type Tokens = { accessToken: string; refreshToken: string };

export type RegisteredUser = Tokens & { email: string; password: string; organizationName: string };

const AUTH_PAYLOAD = `data { accessToken refreshToken expiresIn tokenType }`;

/** A fresh address nobody else in the shared database uses. */
export function uniqueEmail(label = "user"): string {
  return `${label}-${crypto.randomUUID()}@test.switchboard.local`;
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** The union member a mutation returned, failing with the whole response when the request itself failed. */
export function resultOf<T = Record<string, unknown>>(response: GraphqlResponse, field: string): T & MutationError {
  expect(response.status, JSON.stringify(response.body)).toBeLessThan(500);
  expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
  const result = response.body.data?.[field];
  expect(result, `no ${field} in ${JSON.stringify(response.body)}`).toBeTruthy();
  return result as T & MutationError;
}

/** The `data` of a mutation that must have succeeded. */
export function successData<T>(response: GraphqlResponse, field: string): T {
  const result = resultOf<{ data: T }>(response, field);
  expect(result.__typename, JSON.stringify(result)).toMatch(/^Mutation\w+Success$/);
  return result.data;
}

/** The GraphQL error codes (extensions.code) of a response. */
export function errorCodes(response: GraphqlResponse): unknown[] {
  return (response.body.errors ?? []).map((error) => error.extensions?.code);
}

export async function registerUser(label = "user"): Promise<RegisteredUser> {
  const email = uniqueEmail(label);
  const password = `pw-${crypto.randomUUID()}`;
  const organizationName = `Org ${label} ${crypto.randomUUID().slice(0, 8)}`;
  const response = await graphql(
    `mutation ($email: String!, $password: String!, $org: String!) {
      register(email: $email, password: $password, organizationName: $org) {
        ${ERROR_FIELDS}
        ... on MutationRegisterSuccess { ${AUTH_PAYLOAD} }
      }
    }`,
    { email, password, org: organizationName },
  );
  const tokens = successData<Tokens>(response, "register");
  return { email, password, organizationName, ...tokens };
}

export function loginRequest(email: string, password: string): Promise<GraphqlResponse> {
  return graphql(
    `mutation ($email: String!, $password: String!) {
      login(email: $email, password: $password) {
        ${ERROR_FIELDS}
        ... on MutationLoginSuccess { ${AUTH_PAYLOAD} }
      }
    }`,
    { email, password },
  );
}

export function refreshRequest(refreshToken: string): Promise<GraphqlResponse> {
  return graphql(
    `mutation ($token: String!) {
      refresh(refreshToken: $token) {
        ${ERROR_FIELDS}
        ... on MutationRefreshSuccess { ${AUTH_PAYLOAD} }
      }
    }`,
    { token: refreshToken },
  );
}

export type CreatedKey = { id: string; prefix: string; secret: string; scopes: string[] };

export async function createApiKey(
  headers: Record<string, string>,
  options: { name?: string; scopes?: string[] } = {},
): Promise<CreatedKey> {
  const response = await createApiKeyRequest(headers, options);
  const data = successData<{ apiKey: { id: string; prefix: string; scopes: string[] }; secret: string }>(
    response,
    "createApiKey",
  );
  return { ...data.apiKey, secret: data.secret };
}

export function createApiKeyRequest(
  headers: Record<string, string>,
  options: { name?: string; scopes?: string[] } = {},
): Promise<GraphqlResponse> {
  return graphql(
    `mutation ($name: String!, $scopes: [Scope!]) {
      createApiKey(name: $name, scopes: $scopes) {
        ${ERROR_FIELDS}
        ... on MutationCreateApiKeySuccess { data { secret apiKey { id prefix scopes name } } }
      }
    }`,
    { name: options.name ?? `key-${crypto.randomUUID().slice(0, 8)}`, scopes: options.scopes },
    headers,
  );
}

/** A scenario agent that passes validation; the slug is unique unless given. */
export function agentInput(slug = `agent_${crypto.randomUUID().slice(0, 8)}`): Record<string, unknown> {
  return {
    name: `Agent ${slug}`,
    slug,
    kind: "voice",
    mode: "scenario",
    scenario: { name: slug, steps: { hello: { message_text: "Bonjour", intent_mapping: {} } } },
  };
}

export function createAgentRequest(headers: Record<string, string>, input = agentInput()): Promise<GraphqlResponse> {
  return graphql(
    `mutation ($input: AgentInput!) {
      createAgent(input: $input) {
        ${ERROR_FIELDS}
        ... on MutationCreateAgentSuccess { data { id slug name } }
      }
    }`,
    { input },
    headers,
  );
}

/** A French mobile number unlikely to collide with anyone else's. */
export function randomFrenchMobile(): string {
  const digits = Array.from({ length: 8 }, () => Math.floor(Math.random() * 10)).join("");
  return `+336${digits}`;
}

export function createContactRequest(
  headers: Record<string, string>,
  input: Record<string, unknown> = { phone: randomFrenchMobile(), firstName: "Test" },
): Promise<GraphqlResponse> {
  return graphql(
    `mutation ($input: ContactInput!) {
      createContact(input: $input) {
        ${ERROR_FIELDS}
        ... on MutationCreateContactSuccess { data { id number phone firstName } }
      }
    }`,
    { input },
    headers,
  );
}

/** Every node of a connection, following pages (first: 100) to the end. */
export async function allNodes<TNode extends { id: string }>(
  field: "contacts" | "agents" | "campaigns" | "calls",
  selection: string,
  headers: Record<string, string>,
): Promise<TNode[]> {
  const nodes: TNode[] = [];
  let after: string | null = null;
  for (let page = 0; page < 200; page++) {
    const response: GraphqlResponse = await graphql(
      `query ($after: String) {
        ${field}(first: 100, after: $after) { edges { node { id ${selection} } } pageInfo { hasNextPage endCursor } }
      }`,
      { after },
      headers,
    );
    expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
    const connection = response.body.data?.[field] as {
      edges: Array<{ node: TNode }>;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
    nodes.push(...connection.edges.map((edge) => edge.node));
    if (!connection.pageInfo.hasNextPage) return nodes;
    after = connection.pageInfo.endCursor;
  }
  throw new Error(`${field}: more than 200 pages`);
}
