import { beforeAll, describe, expect, inject, it } from "vitest";
import {
  allNodes,
  bearer,
  createContactRequest,
  ERROR_FIELDS,
  errorCodes,
  type RegisteredUser,
  registerUser,
  resultOf,
  successData,
} from "./support/accounts.js";
import { type GraphqlResponse, graphql, type RestResponse, rest } from "./support/http.js";

/** Every response of this suite goes through here: bad input must never be a server error. */
function notServerError<T extends { status: number }>(response: T): T {
  expect(response.status, JSON.stringify(response)).toBeLessThan(500);
  return response;
}

async function gql(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) {
  return notServerError(await graphql(query, variables, headers));
}

async function raw(method: string, path: string, options: Parameters<typeof rest>[2] = {}): Promise<RestResponse> {
  return notServerError(await rest(method, path, options));
}

/** The `errors` array of a JSON response, failing when there is none. */
function errorsOf(body: unknown): Array<{ message: string; extensions?: { code?: string } }> {
  const errors = (body as { errors?: unknown }).errors;
  expect(Array.isArray(errors), `expected an errors array in ${JSON.stringify(body)}`).toBe(true);
  expect((errors as unknown[]).length).toBeGreaterThan(0);
  return errors as Array<{ message: string; extensions?: { code?: string } }>;
}

/** Errors that blame the caller, not the server. */
function expectClientErrors(response: GraphqlResponse): void {
  const errors = errorsOf(response.body);
  expect(errors.map((error) => error.extensions?.code)).not.toContain("INTERNAL_SERVER_ERROR");
  expect(errors.map((error) => error.message)).not.toContain("Unexpected error.");
}

let user: RegisteredUser;
let auth: Record<string, string>;

beforeAll(async () => {
  user = await registerUser("badinput");
  auth = bearer(user.accessToken);
});

const IMPORT = `mutation ($csv: String!, $country: String) {
  importContacts(csv: $csv, defaultCountry: $country) {
    ${ERROR_FIELDS}
    ... on MutationImportContactsSuccess { data { imported failed errors { line field message } } }
  }
}`;

type ImportReport = { imported: number; failed: number; errors: Array<{ line: number; field: string | null }> };

describe("malformed requests", () => {
  it("answers malformed JSON with 400 and an errors array", async () => {
    const response = await raw("POST", "/graphql", {
      headers: { "content-type": "application/json", accept: "application/json" },
      rawBody: '{"query": "{ viewer { kind } ',
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(errorsOf(response.body)[0]?.message).toMatch(/JSON/i);
  });

  it("answers JSON that is not a GraphQL request with errors and no data", async () => {
    for (const rawBody of [
      "[]",
      '{"query": 42}',
      '"just a string"',
      "{}",
      '{"query": "{ __typename }", "variables": 7}',
    ]) {
      const response = await raw("POST", "/graphql", {
        headers: { "content-type": "application/json", accept: "application/json" },
        rawBody,
      });
      errorsOf(response.body);
      expect((response.body as { data?: unknown }).data ?? null, rawBody).toBeNull();
    }
  });

  it("rejects a variable of the wrong type, naming the variable", async () => {
    const response = await gql(
      `query ($first: Int) { contacts(first: $first) { edges { node { id } } } }`,
      { first: "ten" },
      auth,
    );
    expect(response.body.data ?? null).toBeNull();
    expect(errorsOf(response.body)[0]?.message).toContain("$first");
  });

  it("rejects a wrong enum value in a variable", async () => {
    const response = await gql(
      `mutation ($scopes: [Scope!]) { createApiKey(name: "x", scopes: $scopes) { __typename } }`,
      { scopes: ["EVERYTHING"] },
      auth,
    );
    expect(response.body.data ?? null).toBeNull();
    expect(errorsOf(response.body)[0]?.message).toContain("$scopes");
  });

  it("rejects an unknown field", async () => {
    const response = await gql(`{ viewer { kind passwordHash } }`, undefined, auth);
    expect(response.body.data ?? null).toBeNull();
    expect(errorsOf(response.body)[0]?.message).toContain("passwordHash");
  });

  it("rejects a query that is not GraphQL", async () => {
    const response = await gql(`select * from users`);
    expect(response.body.data ?? null).toBeNull();
    expect(errorsOf(response.body)[0]?.message).toMatch(/Syntax Error/);
  });

  it("rejects a body over 5 MB with 413 PAYLOAD_TOO_LARGE", async () => {
    const padding = "a".repeat(5 * 1024 * 1024 + 1024);
    const response = await rest("POST", "/graphql", {
      headers: { "content-type": "application/json", accept: "application/json" },
      rawBody: JSON.stringify({ query: "{ __typename }", variables: { padding } }),
    });
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE" } });
  });

  it("rejects a query nested beyond the depth limit before running it", async () => {
    const response = await gql(
      `{ campaigns { edges { node { calls { edges { node { contact {
          ... on Contact { ... on Node { id } }
        } } } } } } } }`,
      undefined,
      auth,
    );
    expect(response.body.data ?? null).toBeNull();
    expect(errorsOf(response.body)[0]?.message).toMatch(/depth/i);
  });

  it("rejects a query with too many aliases", async () => {
    const aliases = Array.from({ length: 30 }, (_, index) => `a${index}: viewer { kind }`).join(" ");
    const response = await gql(`{ ${aliases} }`, undefined, auth);
    expect(response.body.data ?? null).toBeNull();
    expect(errorsOf(response.body)[0]?.message).toMatch(/alias/i);
  });
});

describe("invalid values", () => {
  it("reports an invalid email in register as a ValidationError on the email path", async () => {
    const response = await gql(
      `mutation { register(email: "not-an-email", password: "long-enough-password", organizationName: "X") {
        ${ERROR_FIELDS}
      } }`,
    );
    const result = resultOf(response, "register");
    expect(result.__typename).toBe("ValidationError");
    expect(result.issues?.map((issue) => issue.path)).toContainEqual(["email"]);
  });

  it("reports a short password in register on the password path", async () => {
    const response = await gql(
      `mutation ($email: String!) { register(email: $email, password: "short", organizationName: "X") {
        ${ERROR_FIELDS}
      } }`,
      { email: `short-${crypto.randomUUID()}@test.switchboard.local` },
    );
    const result = resultOf(response, "register");
    expect(result.__typename).toBe("ValidationError");
    expect(result.issues?.map((issue) => issue.path)).toContainEqual(["password"]);
  });

  it("reports a bad phone in createContact on the phone path, and creates nothing", async () => {
    const before = await allNodes("contacts", "phone", auth);
    for (const phone of ["12345", "not a phone number"]) {
      const result = resultOf(await createContactRequest(auth, { phone, firstName: "Bad" }), "createContact");
      expect(result.__typename, phone).toBe("ValidationError");
      expect(result.issues?.map((issue) => issue.path)).toContainEqual(["phone"]);
    }
    expect(await allNodes("contacts", "phone", auth)).toHaveLength(before.length);
  });

  it("treats an invalid global id in updateContact as a client error", async () => {
    const created = successData<{ id: string }>(await createContactRequest(auth), "createContact");
    const contactId = created.id;
    const agentTypedId = Buffer.from(`Agent:${crypto.randomUUID()}`).toString("base64");
    const contactTypedBadUuid = Buffer.from("Contact:123").toString("base64");
    for (const id of ["garbage", "", agentTypedId, contactTypedBadUuid, `${contactId}x`]) {
      const response = await gql(
        `mutation ($id: ID!) { updateContact(id: $id, input: { firstName: "Changed" }) { ${ERROR_FIELDS} } }`,
        { id },
        auth,
      );
      const result = response.body.data?.updateContact as { __typename: string } | null | undefined;
      if (result) expect(result.__typename, id).toBe("NotFoundError");
      else expectClientErrors(response);
    }
    // The real contact was not touched by any of them.
    const contacts = await allNodes<{ id: string; firstName: string | null }>("contacts", "firstName", auth);
    expect(contacts.find((contact) => contact.id === contactId)?.firstName).toBe("Test");
  });

  it("treats an invalid id in revokeApiKey as not found", async () => {
    for (const id of ["garbage", "123", `${crypto.randomUUID()}`]) {
      const response = await gql(`mutation ($id: ID!) { revokeApiKey(id: $id) { ${ERROR_FIELDS} } }`, { id }, auth);
      expect(resultOf(response, "revokeApiKey").__typename, id).toBe("NotFoundError");
    }
  });

  it("returns null for node lookups by malformed ids rather than failing the server", async () => {
    const response = await gql(`query ($id: ID!) { node(id: $id) { id } }`, { id: "not-a-global-id" }, auth);
    if (response.body.errors) expectClientErrors(response);
    else expect(response.body.data?.node).toBeNull();
  });
});

describe("CSV import", () => {
  it("rejects an unreadable CSV (unclosed quote) as a ValidationError and imports nothing", async () => {
    const tenant = await registerUser("csvbad");
    const headers = bearer(tenant.accessToken);
    const csv = 'phone,firstName\n"0612345678,Jean\n0623456789,Marie\n';
    const result = resultOf(await gql(IMPORT, { csv }, headers), "importContacts");
    expect(result.__typename).toBe("ValidationError");
    expect(result.issues?.map((issue) => issue.path)).toContainEqual(["csv"]);
    expect(await allNodes("contacts", "phone", headers)).toEqual([]);
  });

  it("rejects a CSV without a phone column", async () => {
    const result = resultOf(await gql(IMPORT, { csv: "name,email\nJean,jean@example.com\n" }, auth), "importContacts");
    expect(result.__typename).toBe("ValidationError");
    expect(result.issues?.map((issue) => issue.path)).toContainEqual(["csv"]);
  });

  it("keeps the good rows and reports each bad row by its line number", async () => {
    const tenant = await registerUser("csvmixed");
    const headers = bearer(tenant.accessToken);
    const csv = [
      "phone,firstName,email", // line 1
      "06 12 34 56 78,Jean,jean@example.com", // 2: good
      "not-a-phone,Bad,", // 3: bad phone
      "0623456789,Marie,not-an-email", // 4: bad email
      "+33 6 34 56 78 90,Pierre,", // 5: good
      "0612345678,Twice,", // 6: same phone as line 2
      "0645678901,Sophie,sophie@example.com", // 7: good
    ].join("\n");
    const report = successData<ImportReport>(await gql(IMPORT, { csv, country: "FR" }, headers), "importContacts");
    expect(report.imported).toBe(3);
    expect(report.failed).toBe(3);
    expect(report.errors.map((error) => [error.line, error.field])).toEqual([
      [3, "phone"],
      [4, "email"],
      [6, "phone"],
    ]);

    const contacts = await allNodes<{ id: string; phone: string; firstName: string }>(
      "contacts",
      "phone firstName",
      headers,
    );
    expect(contacts.map((contact) => [contact.phone, contact.firstName]).sort()).toEqual([
      ["+33612345678", "Jean"],
      ["+33634567890", "Pierre"],
      ["+33645678901", "Sophie"],
    ]);

    // Importing the same file again adds nothing: every row is now a duplicate or still bad.
    const again = successData<ImportReport>(await gql(IMPORT, { csv, country: "FR" }, headers), "importContacts");
    expect(again.imported).toBe(0);
    expect(again.errors.map((error) => error.line)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(await allNodes("contacts", "phone", headers)).toHaveLength(3);
  });

  it("counts lines as they are in the file, across blank lines and quoted line breaks", async () => {
    const tenant = await registerUser("csvlines");
    const headers = bearer(tenant.accessToken);
    const csv = [
      "phone,firstName,company", // line 1
      "", // 2
      '0611111111,Jean,"Dupont', // 3: a company name spanning two lines
      '& Fils"', // 4
      "", // 5
      "not-a-phone,Bad,Acme", // 6: bad
      "0622222222,Marie,Martin", // 7: good
      "12,Short,", // 8: bad
    ].join("\r\n");
    const report = successData<ImportReport>(await gql(IMPORT, { csv }, headers), "importContacts");
    expect(report.imported).toBe(2);
    expect(report.errors.map((error) => error.line)).toEqual([6, 8]);
  });

  it("rejects an invalid default country", async () => {
    const result = resultOf(
      await gql(IMPORT, { csv: "phone\n0612345678\n", country: "France" }, auth),
      "importContacts",
    );
    expect(result.__typename).toBe("ValidationError");
    expect(result.issues?.map((issue) => issue.path)).toContainEqual(["defaultCountry"]);
  });
});

describe("credentials and routes", () => {
  it("refuses a garbage bearer token with UNAUTHENTICATED", async () => {
    for (const token of ["garbage", "eyJhbGciOiJIUzI1NiJ9.e30.invalid", `${user.accessToken}x`]) {
      const response = await gql(`{ viewer { kind } }`, undefined, bearer(token));
      expect(response.body.data?.viewer ?? null).toBeNull();
      expect(errorCodes(response), token).toContain("UNAUTHENTICATED");
    }
  });

  it("answers an unknown route with a JSON 404", async () => {
    for (const path of ["/no-such-route", "/graphql/extra", "/api/../../etc/passwd"]) {
      const response = await raw("GET", path);
      expect(response.status, path).toBe(404);
      expect(response.headers.get("content-type")).toContain("application/json");
      expect(response.body).toMatchObject({ error: { code: "HTTP_404" } });
    }
  });

  it("answers an unsupported method on /graphql without a server error", async () => {
    const response = await raw("DELETE", "/graphql", { headers: { "x-api-key": inject("apiPassword") } });
    expect(response.status).toBeGreaterThanOrEqual(400);
  });
});
