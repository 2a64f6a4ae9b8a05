import type { Hono } from "hono";
import redocBundle from "redoc/bundles/redoc.standalone.js";
import redocPackage from "redoc/package.json";
import swaggerPackage from "swagger-ui-dist/package.json";
import swaggerCss from "swagger-ui-dist/swagger-ui.css";
import swaggerBundle from "swagger-ui-dist/swagger-ui-bundle.js";
import type { AppBindings } from "../http/app-types.js";
import { OPENAPI_PATH } from "./openapi.js";

export const SWAGGER_UI_PATH = "/docs";
export const REDOC_PATH = "/redoc";

type Asset = { path: string; contentType: string; body: string; cacheControl: string };

/** Versioned paths never change content, so browsers may keep them for a year. */
const IMMUTABLE = "public, max-age=31536000, immutable";
/** Ours, unversioned: short-lived. */
const SHORT = "public, max-age=3600";

/** Swagger UI's start-up, as a file: the pages carry no inline script. `validatorUrl: null` keeps it offline. */
const SWAGGER_INITIALIZER = `window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: ${JSON.stringify(OPENAPI_PATH)},
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
  });
});
`;

const swaggerBase = `${SWAGGER_UI_PATH}/assets/swagger-ui@${swaggerPackage.version}`;
const redocBase = `${SWAGGER_UI_PATH}/assets/redoc@${redocPackage.version}`;

export const DOC_ASSETS = {
  swaggerJs: {
    path: `${swaggerBase}/swagger-ui-bundle.js`,
    contentType: "text/javascript; charset=utf-8",
    body: swaggerBundle,
    cacheControl: IMMUTABLE,
  },
  swaggerCss: {
    path: `${swaggerBase}/swagger-ui.css`,
    contentType: "text/css; charset=utf-8",
    body: swaggerCss,
    cacheControl: IMMUTABLE,
  },
  swaggerInit: {
    path: `${SWAGGER_UI_PATH}/assets/swagger-initializer.js`,
    contentType: "text/javascript; charset=utf-8",
    body: SWAGGER_INITIALIZER,
    cacheControl: SHORT,
  },
  redocJs: {
    path: `${redocBase}/redoc.standalone.js`,
    contentType: "text/javascript; charset=utf-8",
    body: redocBundle,
    cacheControl: IMMUTABLE,
  },
} satisfies Record<string, Asset>;

const TITLE = "Switchboard API (MiniBotPanel v3 compatible)";

const SWAGGER_PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${TITLE} - Swagger UI</title>
    <link rel="stylesheet" href="${DOC_ASSETS.swaggerCss.path}">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="${DOC_ASSETS.swaggerJs.path}"></script>
    <script src="${DOC_ASSETS.swaggerInit.path}"></script>
  </body>
</html>
`;

const REDOC_PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${TITLE} - ReDoc</title>
    <style>body { margin: 0; padding: 0; }</style>
  </head>
  <body>
    <redoc spec-url="${OPENAPI_PATH}"></redoc>
    <script src="${DOC_ASSETS.redocJs.path}"></script>
  </body>
</html>
`;

/** Swagger UI at /docs and ReDoc at /redoc, both reading /openapi.json, with their assets served from here. */
export function registerDocPages(app: Hono<AppBindings>): void {
  app.get(SWAGGER_UI_PATH, (c) => c.html(SWAGGER_PAGE, 200, { "cache-control": "no-cache" }));
  app.get(REDOC_PATH, (c) => c.html(REDOC_PAGE, 200, { "cache-control": "no-cache" }));
  for (const asset of Object.values(DOC_ASSETS)) {
    app.get(asset.path, (c) =>
      c.body(asset.body, 200, {
        "content-type": asset.contentType,
        "cache-control": asset.cacheControl,
        "x-content-type-options": "nosniff",
      }),
    );
  }
}
