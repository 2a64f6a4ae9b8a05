import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppBindings } from "../http/app-types.js";

export const OPENAPI_PATH = "/openapi.json";

type DocumentConfig = Parameters<OpenAPIHono<AppBindings>["getOpenAPI31Document"]>[0];

/** One document for every surface: each registers its routes with createRoute on the app mounted here. */
export const OPENAPI_CONFIG: DocumentConfig = {
  openapi: "3.1.0",
  info: {
    title: "Switchboard API (MiniBotPanel v3 compatible)",
    version: "3.0.0",
    description: [
      "Switchboard's REST surfaces, starting with the MiniBotPanel v3 API.",
      "",
      "Authenticate with the API password in the `X-API-Key` header (recommended) or the `?password=` query",
      "parameter; an API key (`sb_live_…`) or a user access token (`Authorization: Bearer …`) works too.",
      "`/`, `/health`, `/metrics`, `/docs`, `/redoc` and `/openapi.json` are public.",
      "",
      "The VoiceERA surface (`/auth`, `/agents`, `/campaigns`, `/call-logs`, `/call-recordings`, `/analytics`,",
      "`/readiness`, and all of it again under `/voiceera`, with `/voiceera/health`) takes the bearer token from",
      "its `/auth/login` and answers errors in its `{success:false, error:{code,…}}` envelope.",
    ].join("\n"),
  },
};

/** The names API_KEY_SECURITY (rest/minibotpanel/schemas.ts) and the other surfaces refer to. */
export const SECURITY_SCHEMES = {
  ApiKeyHeader: {
    type: "apiKey",
    in: "header",
    name: "X-API-Key",
    description: "The API password (MiniBotPanel) or an API key.",
  },
  ApiKeyQuery: {
    type: "apiKey",
    in: "query",
    name: "password",
    description: "The API password as a query parameter (MiniBotPanel's second method).",
  },
  BearerAuth: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "A user access token (30 min), from the GraphQL login mutation or VoiceERA's /auth/login.",
  },
} as const;

/**
 * Serves the OpenAPI 3.1 document at /openapi.json. Call it after every surface is mounted: the document
 * is generated once per isolate, on first request, from the zod schemas the routes validate with.
 */
export function registerOpenApiDocument(app: OpenAPIHono<AppBindings>): void {
  for (const [name, scheme] of Object.entries(SECURITY_SCHEMES)) {
    app.openAPIRegistry.registerComponent("securitySchemes", name, scheme);
  }
  let document: ReturnType<typeof app.getOpenAPI31Document> | undefined;
  app.get(OPENAPI_PATH, (c) => {
    document ??= app.getOpenAPI31Document(OPENAPI_CONFIG);
    return c.json(document);
  });
}
