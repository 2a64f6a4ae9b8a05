/**
 * Files wrangler.toml's `[[rules]] type = "Text"` bundles as strings, so the worker serves the
 * documentation UIs itself (no CDN, works offline).
 */
declare module "swagger-ui-dist/swagger-ui-bundle.js" {
  const source: string;
  export default source;
}

declare module "swagger-ui-dist/swagger-ui.css" {
  const source: string;
  export default source;
}

declare module "redoc/bundles/redoc.standalone.js" {
  const source: string;
  export default source;
}
