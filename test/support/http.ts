import { inject } from "vitest";

export type GraphqlResponse<TData = Record<string, unknown>> = {
  status: number;
  body: { data?: TData | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
};

export type RestResponse = { status: number; headers: Headers; body: unknown; text: string };

/** POSTs a GraphQL operation to the edge under test. */
export async function graphql<TData = Record<string, unknown>>(
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphqlResponse<TData>> {
  const response = await fetch(`${inject("edgeUrl")}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as GraphqlResponse<TData>["body"] };
}

/**
 * Calls a REST path on the edge. `body` is sent as JSON; `rawBody` as given (multipart, CSV, bad JSON).
 * The response body is parsed as JSON when it says so, otherwise left as text.
 */
export async function rest(
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: unknown; rawBody?: RequestInit["body"] } = {},
): Promise<RestResponse> {
  const headers = new Headers(options.headers);
  let body = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  const response = await fetch(`${inject("edgeUrl")}${path}`, { method, headers, body });
  const text = await response.text();
  const isJson = response.headers.get("content-type")?.includes("json") ?? false;
  return { status: response.status, headers: response.headers, body: isJson && text ? JSON.parse(text) : text, text };
}
