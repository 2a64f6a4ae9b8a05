import { beforeAll, describe, expect, it } from "vitest";
import { bearer, ERROR_FIELDS, registerUser, resultOf, successData } from "./support/accounts.js";
import { graphql } from "./support/http.js";

/** The GraphQL mutations for the catalogue, tickets, orders and interventions, as an organisation's owner uses them. */

let auth: Record<string, string>;
beforeAll(async () => {
  auth = bearer((await registerUser("catalog")).accessToken);
});

const gql = (query: string, variables?: Record<string, unknown>) => graphql(query, variables, auth);

async function searchSkus(query: string): Promise<string[]> {
  const response = await gql("query ($q: String) { searchProducts(query: $q) { products { sku name price } } }", {
    q: query,
  });
  return (response.body.data as { searchProducts: { products: Array<{ sku: string }> } }).searchProducts.products.map(
    (product) => product.sku,
  );
}

describe("catalogue", () => {
  const save = `mutation ($input: ProductInput!) { saveProduct(input: $input) { ${ERROR_FIELDS}
    ... on MutationSaveProductSuccess { data { sku name price currency inStock } } } }`;

  it("adds, replaces and removes a product, which search then finds or not", async () => {
    const sku = `FAU-${crypto.randomUUID().slice(0, 6)}`;
    const added = successData(
      await gql(save, { input: { sku, name: "Fauteuil Émeraude", price: 499 } }),
      "saveProduct",
    );
    expect(added).toEqual({ sku, name: "Fauteuil Émeraude", price: 499, currency: "EUR", inStock: true });
    expect(await searchSkus("emeraude")).toEqual([sku]);
    const replaced = successData<{ price: number; inStock: boolean }>(
      await gql(save, { input: { sku, name: "Fauteuil Émeraude", price: 449, inStock: false } }),
      "saveProduct",
    );
    expect(replaced).toMatchObject({ price: 449, inStock: false });
    expect(await searchSkus("emeraude")).toEqual([sku]);
    const removal = `mutation ($sku: String!) { deleteProduct(sku: $sku) { ${ERROR_FIELDS} } }`;
    expect(resultOf(await gql(removal, { sku }), "deleteProduct").__typename).toBe("MutationDeleteProductSuccess");
    expect(await searchSkus("emeraude")).toEqual([]);
    expect(resultOf(await gql(removal, { sku }), "deleteProduct").__typename).toBe("NotFoundError");
  });

  it("refuses a bad product with a typed error", async () => {
    const result = resultOf(
      await gql(save, { input: { sku: "X", name: "", price: -1, currency: "euro" } }),
      "saveProduct",
    );
    expect(result.__typename).toBe("ValidationError");
  });
});

describe("tickets", () => {
  it("resolves, closes, and refuses to reopen a closed ticket", async () => {
    const created = successData<{ code: string }>(
      await gql(
        `mutation { createTicket(input: { category: "livraison", severity: "moyen", description: "Pied cassé" }) {
          ${ERROR_FIELDS} ... on MutationCreateTicketSuccess { data { code } } } }`,
      ),
      "createTicket",
    );
    const move = (status: string) =>
      gql(
        `mutation ($code: String!, $status: TicketStatus!) { updateTicketStatus(code: $code, status: $status) {
          ${ERROR_FIELDS} ... on MutationUpdateTicketStatusSuccess { data { status resolvedAt } } } }`,
        { code: created.code, status },
      );
    expect(successData(await move("in_progress"), "updateTicketStatus")).toEqual({
      status: "in_progress",
      resolvedAt: null,
    });
    const resolved = successData<{ resolvedAt: string | null }>(await move("resolved"), "updateTicketStatus");
    expect(resolved.resolvedAt).not.toBeNull();
    expect(successData(await move("closed"), "updateTicketStatus")).toEqual({
      status: "closed",
      resolvedAt: resolved.resolvedAt,
    });
    expect(resultOf(await move("open"), "updateTicketStatus").__typename).toBe("ConflictError");
  });
});

describe("orders and interventions", () => {
  const send = (sessionKey: string, message: string) =>
    gql(
      `mutation ($s: String!, $m: String!) { sendMessage(agent: ORDERS, sessionKey: $s, message: $m) { ${ERROR_FIELDS} } }`,
      { s: sessionKey, m: message },
    );
  const itemOf = async (field: "orders" | "interventions", sessionKey: string) => {
    const response = await gql(`{ ${field}(first: 200) { id customerRef status } }`);
    const items = (response.body.data as Record<string, Array<{ id: string; customerRef: string; status: string }>>)[
      field
    ];
    return items?.find((item) => item.customerRef === sessionKey);
  };

  it("cancels an order being taken, once", async () => {
    const session = `+2250700${Math.floor(Math.random() * 1e6)}`;
    await send(session, "Je veux commander un savon");
    const order = await itemOf("orders", session);
    if (!order) throw new Error("no order");
    const cancel = `mutation ($id: ID!) { cancelOrder(id: $id) { ${ERROR_FIELDS}
      ... on MutationCancelOrderSuccess { data { status } } } }`;
    expect(successData(await gql(cancel, { id: order.id }), "cancelOrder")).toEqual({ status: "cancelled" });
    expect(resultOf(await gql(cancel, { id: order.id }), "cancelOrder").__typename).toBe("ConflictError");
  });

  it("resolves an intervention", async () => {
    const session = `+2250701${Math.floor(Math.random() * 1e6)}`;
    await send(session, "Je veux parler à un conseiller");
    const intervention = await itemOf("interventions", session);
    if (!intervention) throw new Error("no intervention");
    const resolve = `mutation ($id: ID!) { resolveIntervention(id: $id) { ${ERROR_FIELDS}
      ... on MutationResolveInterventionSuccess { data { status } } } }`;
    expect(successData(await gql(resolve, { id: intervention.id }), "resolveIntervention")).toEqual({
      status: "resolved",
    });
    expect(await itemOf("interventions", session)).toBeUndefined();
  });
});
