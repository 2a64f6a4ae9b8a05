import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, inject, it } from "vitest";
import { schema } from "../edge/src/graphql/schema.js";

// Pothos is loaded by Node, which resolves `graphql` to its CommonJS build; printSchema must come from the
// same copy, or graphql's instanceof checks reject the schema's types as coming "from another realm".
const { printSchema } = createRequire(import.meta.url)("graphql") as typeof import("graphql");

const committedSchema = new URL("../schema/schema.graphql", import.meta.url);

describe("GraphQL schema", () => {
  it("matches the committed schema/schema.graphql", () => {
    const printed = `${printSchema(schema)}\n`;
    const committed = readFileSync(committedSchema, "utf8");
    expect(
      printed === committed,
      "schema/schema.graphql is out of date with edge/src: run `npm run schema:print` and commit the result",
    ).toBe(true);
    // On failure, show where they differ.
    expect(printed).toBe(committed);
  });

  it("serves GraphiQL to a browser at GET /graphql", async () => {
    const response = await fetch(`${inject("edgeUrl")}/graphql`, { headers: { accept: "text/html" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    const html = await response.text();
    expect(html).toMatch(/GraphiQL|Switchboard GraphQL/);
    expect(html).toContain("<title>Switchboard GraphQL</title>");
  });
});
