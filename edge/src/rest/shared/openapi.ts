/** OpenAPI route pieces every REST surface describes the same way. */

/** A JSON response of `schema`. */
export const json = <T>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});

/** A required JSON request body of `schema`. */
export const jsonBody = <T>(schema: T) => ({
  body: { content: { "application/json": { schema } }, required: true },
});
