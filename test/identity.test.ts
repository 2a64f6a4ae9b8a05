import { describe, expect, inject, it } from "vitest";
import {
  bearer,
  createAgentRequest,
  createApiKey,
  createApiKeyRequest,
  createContactRequest,
  ERROR_FIELDS,
  errorCodes,
  loginRequest,
  refreshRequest,
  registerUser,
  resultOf,
  successData,
  type Tokens,
  uniqueEmail,
} from "./support/accounts.js";
import { type GraphqlResponse, graphql } from "./support/http.js";

type Viewer = {
  kind: string;
  scopes: string[];
  user: { email: string } | null;
  organization: { id: string; slug: string; name: string };
};

const VIEWER = `{ viewer { kind scopes user { email } organization { id slug name } } }`;

function viewerAs(headers: Record<string, string>): Promise<GraphqlResponse<{ viewer: Viewer }>> {
  return graphql<{ viewer: Viewer }>(VIEWER, undefined, headers);
}

/** The viewer of a credential that must work. */
async function viewerOf(headers: Record<string, string>): Promise<Viewer> {
  const response = await viewerAs(headers);
  expect(response.status).toBeLessThan(500);
  expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
  const viewer = response.body.data?.viewer;
  if (!viewer) throw new Error(`no viewer: ${JSON.stringify(response.body)}`);
  return viewer;
}

/** A credential that must be refused: no data, and UNAUTHENTICATED. */
async function expectUnauthenticated(headers: Record<string, string>): Promise<void> {
  const response = await viewerAs(headers);
  expect(response.status).toBeLessThan(500);
  expect(response.body.data?.viewer ?? null).toBeNull();
  expect(errorCodes(response)).toContain("UNAUTHENTICATED");
}

async function login(email: string, password: string): Promise<Tokens> {
  return successData<Tokens>(await loginRequest(email, password), "login");
}

describe("registration and login", () => {
  it("registers, logs in and sees the user as the viewer", async () => {
    const user = await registerUser("login");
    const registered = await viewerOf(bearer(user.accessToken));
    expect(registered.kind).toBe("user");
    expect(registered.user?.email).toBe(user.email);
    expect(registered.organization.name).toBe(user.organizationName);

    const tokens = await login(user.email, user.password);
    expect(tokens.accessToken).not.toBe(user.accessToken);
    const viewer = await viewerOf(bearer(tokens.accessToken));
    expect(viewer.user?.email).toBe(user.email);
    expect(viewer.organization.id).toBe(registered.organization.id);
    expect(viewer.scopes).toEqual(expect.arrayContaining(["CONTACTS_READ", "CONTACTS_WRITE", "API_KEYS_MANAGE"]));
  });

  it("refuses a wrong password with INVALID_CREDENTIALS", async () => {
    const user = await registerUser("wrongpw");
    const result = resultOf(await loginRequest(user.email, `${user.password}-nope`), "login");
    expect(result.__typename).toBe("AuthenticationError");
    expect(result.code).toBe("INVALID_CREDENTIALS");
  });

  it("refuses an unknown email exactly like a wrong password", async () => {
    const result = resultOf(await loginRequest(uniqueEmail("nobody"), "whatever-password"), "login");
    expect(result.__typename).toBe("AuthenticationError");
    expect(result.code).toBe("INVALID_CREDENTIALS");
  });

  it("locks the account after 5 failed logins, even against the right password", async () => {
    const user = await registerUser("lockout");
    for (let attempt = 1; attempt <= 5; attempt++) {
      const result = resultOf(await loginRequest(user.email, `wrong-password-${attempt}`), "login");
      expect(result.code, `attempt ${attempt}`).toBe("INVALID_CREDENTIALS");
    }
    const sixth = resultOf(await loginRequest(user.email, user.password), "login");
    expect(sixth.__typename).toBe("AuthenticationError");
    expect(sixth.code).toBe("ACCOUNT_LOCKED");
  });

  it("does not lock after 4 failures: the right password still works and resets the count", async () => {
    const user = await registerUser("nolock");
    for (let attempt = 1; attempt <= 4; attempt++) {
      expect(resultOf(await loginRequest(user.email, `wrong-${attempt}`), "login").code).toBe("INVALID_CREDENTIALS");
    }
    await login(user.email, user.password);
    // The success reset the counter, so four more failures still do not lock.
    for (let attempt = 1; attempt <= 4; attempt++) {
      expect(resultOf(await loginRequest(user.email, `wrong-${attempt}`), "login").code).toBe("INVALID_CREDENTIALS");
    }
    await login(user.email, user.password);
  });

  it("refuses a second registration with the same email (in any case) with a ConflictError", async () => {
    const user = await registerUser("dup");
    for (const email of [user.email, user.email.toUpperCase()]) {
      const response = await graphql(
        `mutation ($email: String!) {
          register(email: $email, password: "another-long-password", organizationName: "Dup Org") { ${ERROR_FIELDS} }
        }`,
        { email },
      );
      const result = resultOf(response, "register");
      expect(result.__typename).toBe("ConflictError");
      expect(result.code).toBe("CONFLICT");
    }
    // The original account is untouched.
    await login(user.email, user.password);
  });
});

describe("refresh tokens", () => {
  it("rotates: a new pair is issued and the old refresh token no longer works", async () => {
    const user = await registerUser("refresh");
    const first = await login(user.email, user.password);
    const second = successData<Tokens>(await refreshRequest(first.refreshToken), "refresh");
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.accessToken).not.toBe(first.accessToken);
    expect((await viewerOf(bearer(second.accessToken))).user?.email).toBe(user.email);

    const third = successData<Tokens>(await refreshRequest(second.refreshToken), "refresh");
    expect((await viewerOf(bearer(third.accessToken))).user?.email).toBe(user.email);
  });

  it("treats reuse of a rotated refresh token as theft and revokes the whole login", async () => {
    const user = await registerUser("reuse");
    const stolen = await login(user.email, user.password);
    const rotated = successData<Tokens>(await refreshRequest(stolen.refreshToken), "refresh");

    const reuse = resultOf(await refreshRequest(stolen.refreshToken), "refresh");
    expect(reuse.__typename).toBe("AuthenticationError");
    expect(reuse.code).toBe("TOKEN_REUSED");

    // The newest refresh token of that login is dead too…
    const newest = resultOf(await refreshRequest(rotated.refreshToken), "refresh");
    expect(newest.__typename).toBe("AuthenticationError");
    // …and so are the access tokens issued to it.
    await expectUnauthenticated(bearer(stolen.accessToken));
    await expectUnauthenticated(bearer(rotated.accessToken));

    // Another login of the same user is a different family and keeps working.
    expect((await viewerOf(bearer(user.accessToken))).user?.email).toBe(user.email);
  });

  it("rejects a refresh token that is not one", async () => {
    const user = await registerUser("badrefresh");
    for (const token of ["garbage", user.accessToken]) {
      const result = resultOf(await refreshRequest(token), "refresh");
      expect(result.__typename).toBe("AuthenticationError");
      expect(result.code).toBe("INVALID_TOKEN");
    }
  });
});

describe("logout", () => {
  it("revokes the access token and the refresh token of that login", async () => {
    const user = await registerUser("logout");
    const session = await login(user.email, user.password);
    await viewerOf(bearer(session.accessToken));

    const response = await graphql(
      `mutation { logout { ${ERROR_FIELDS} ... on MutationLogoutSuccess { data } } }`,
      undefined,
      bearer(session.accessToken),
    );
    expect(successData<boolean>(response, "logout")).toBe(true);

    await expectUnauthenticated(bearer(session.accessToken));
    const refresh = resultOf(await refreshRequest(session.refreshToken), "refresh");
    expect(refresh.__typename).toBe("AuthenticationError");
    // Other logins of the user are unaffected.
    expect((await viewerOf(bearer(user.accessToken))).user?.email).toBe(user.email);
  });

  it("requires credentials", async () => {
    const response = await graphql(`mutation { logout { __typename } }`);
    expect(response.status).toBeLessThan(500);
    expect(errorCodes(response)).toContain("UNAUTHENTICATED");
  });
});

describe("API keys", () => {
  it("shows the sb_live_ secret once; the listing has only its prefix", async () => {
    const user = await registerUser("keys");
    const key = await createApiKey(bearer(user.accessToken), { name: "ci key" });
    expect(key.secret).toMatch(/^sb_live_.{20,}$/);
    expect(key.secret.startsWith(key.prefix)).toBe(true);
    expect(key.prefix.length).toBeLessThan(key.secret.length);

    const listing = await graphql<{ viewer: { apiKeys: Array<{ id: string; name: string; prefix: string }> } }>(
      `{ viewer { apiKeys { id name prefix scopes revokedAt } } }`,
      undefined,
      bearer(user.accessToken),
    );
    expect(listing.body.errors).toBeUndefined();
    const listed = listing.body.data?.viewer.apiKeys.find((item) => item.id === key.id);
    expect(listed).toMatchObject({ name: "ci key", prefix: key.prefix });
    expect(JSON.stringify(listing.body)).not.toContain(key.secret);

    // There is no way to read the secret back.
    const secretField = await graphql(`{ viewer { apiKeys { secret } } }`, undefined, bearer(user.accessToken));
    expect(secretField.status).toBeLessThan(500);
    expect(secretField.body.errors?.length).toBeGreaterThan(0);
    expect(JSON.stringify(secretField.body)).not.toContain(key.secret);
  });

  it("authenticates as Bearer and as X-API-Key, in the creator's organisation", async () => {
    const user = await registerUser("keyauth");
    const owner = await viewerOf(bearer(user.accessToken));
    const key = await createApiKey(bearer(user.accessToken));
    for (const headers of [bearer(key.secret), { "x-api-key": key.secret }]) {
      const viewer = await viewerOf(headers);
      expect(viewer.kind).toBe("api_key");
      expect(viewer.user).toBeNull();
      expect(viewer.organization.id).toBe(owner.organization.id);
    }
  });

  it("limits a CONTACTS_READ key to reading contacts", async () => {
    const user = await registerUser("readonly");
    const created = successData<{ id: string }>(await createContactRequest(bearer(user.accessToken)), "createContact");
    const key = await createApiKey(bearer(user.accessToken), { scopes: ["CONTACTS_READ"] });
    const headers = { "x-api-key": key.secret };
    expect((await viewerOf(headers)).scopes).toEqual(["CONTACTS_READ"]);

    const list = await graphql<{ contacts: { edges: Array<{ node: { id: string } }> } }>(
      `{ contacts(first: 50) { edges { node { id } } } }`,
      undefined,
      headers,
    );
    expect(list.body.errors).toBeUndefined();
    expect(list.body.data?.contacts.edges.map((edge) => edge.node.id)).toContain(created.id);

    const createContact = await createContactRequest(headers);
    expect(createContact.status).toBeLessThan(500);
    expect(createContact.body.data?.createContact ?? null).toBeNull();
    expect(errorCodes(createContact)).toContain("FORBIDDEN");

    const createAgent = await createAgentRequest(headers);
    expect(createAgent.status).toBeLessThan(500);
    expect(createAgent.body.data?.createAgent ?? null).toBeNull();
    expect(errorCodes(createAgent)).toContain("FORBIDDEN");

    const agents = await graphql(`{ agents { edges { node { id } } } }`, undefined, headers);
    expect(errorCodes(agents)).toContain("FORBIDDEN");

    // Nothing was written behind the refusals.
    const after = await graphql<{ contacts: { edges: unknown[] } }>(
      `{ contacts(first: 50) { edges { node { id } } } }`,
      undefined,
      headers,
    );
    expect(after.body.data?.contacts.edges).toHaveLength(1);
  });

  it("cannot create a key with scopes its creator lacks", async () => {
    const user = await registerUser("escalate");
    const manager = await createApiKey(bearer(user.accessToken), { scopes: ["API_KEYS_MANAGE", "CONTACTS_READ"] });
    const headers = bearer(manager.secret);

    const escalation = resultOf(
      await createApiKeyRequest(headers, { scopes: ["CONTACTS_READ", "CONTACTS_WRITE"] }),
      "createApiKey",
    );
    expect(escalation.__typename).toBe("ValidationError");
    expect(escalation.issues?.map((issue) => issue.path)).toContainEqual(["scopes"]);
    expect(JSON.stringify(escalation.issues)).toContain("contacts:write");

    // Within its own scopes it may.
    const narrower = await createApiKey(headers, { scopes: ["CONTACTS_READ"] });
    expect(narrower.scopes).toEqual(["CONTACTS_READ"]);
    // With no scopes given, a key inherits exactly the creator's.
    const inherited = await createApiKey(headers);
    expect([...inherited.scopes].sort()).toEqual(["API_KEYS_MANAGE", "CONTACTS_READ"]);
  });

  it("stops working once revoked", async () => {
    const user = await registerUser("revoke");
    const key = await createApiKey(bearer(user.accessToken));
    await viewerOf({ "x-api-key": key.secret });

    const revoked = successData<{ id: string; revokedAt: string | null }>(
      await graphql(
        `mutation ($id: ID!) {
          revokeApiKey(id: $id) { ${ERROR_FIELDS} ... on MutationRevokeApiKeySuccess { data { id revokedAt } } }
        }`,
        { id: key.id },
        bearer(user.accessToken),
      ),
      "revokeApiKey",
    );
    expect(revoked.id).toBe(key.id);
    expect(revoked.revokedAt).toEqual(expect.any(String));

    await expectUnauthenticated({ "x-api-key": key.secret });
    await expectUnauthenticated(bearer(key.secret));
  });
});

describe("legacy password and missing credentials", () => {
  it("maps the legacy password in X-API-Key to the demo organisation", async () => {
    const viewer = await viewerOf({ "x-api-key": inject("apiPassword") });
    expect(viewer.kind).toBe("legacy_password");
    expect(viewer.organization.slug).toBe("demo");
    expect(viewer.user).toBeNull();
  });

  it("maps the legacy ?password= query parameter to the demo organisation", async () => {
    const response = await fetch(`${inject("edgeUrl")}/graphql?password=${encodeURIComponent(inject("apiPassword"))}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query: VIEWER }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data?: { viewer: Viewer }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data?.viewer.kind).toBe("legacy_password");
    expect(body.data?.viewer.organization.slug).toBe("demo");
  });

  it("refuses a wrong X-API-Key instead of treating the caller as anonymous", async () => {
    await expectUnauthenticated({ "x-api-key": "definitely-not-the-password" });
    await expectUnauthenticated({ "x-api-key": `sb_live_${crypto.randomUUID()}` });
    await expectUnauthenticated({ "x-api-key": `${inject("apiPassword")}x` });
  });

  it("refuses data access without credentials", async () => {
    const response = await graphql<{ viewer: { organization: { name: string } } }>(
      `{ viewer { organization { name } } }`,
    );
    expect(response.status).toBeLessThan(500);
    expect(response.body.data?.viewer ?? null).toBeNull();
    expect(errorCodes(response)).toContain("UNAUTHENTICATED");

    const organization = await graphql(`{ organization { name } }`);
    expect(errorCodes(organization)).toContain("UNAUTHENTICATED");
  });

  it("logs the demo user in with the seeded password", async () => {
    const tokens = await login(inject("demoEmail"), inject("demoPassword"));
    const viewer = await viewerOf(bearer(tokens.accessToken));
    expect(viewer.user?.email).toBe(inject("demoEmail"));
    expect(viewer.organization.slug).toBe("demo");
  });
});
