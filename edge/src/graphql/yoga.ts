import { EnvelopArmorPlugin } from "@escape.tech/graphql-armor";
import { GraphQLError } from "graphql";
import { createYoga, type MaskError, maskError, type Plugin } from "graphql-yoga";
import { DATABASE_BUSY_MESSAGE, DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from "../db/unavailable.js";
import type { GraphQLContext } from "./context.js";
import { schema } from "./schema.js";

/**
 * Armor's token counter parses with graphql's CommonJS build, so its syntax errors are not instances of the
 * GraphQLError Yoga checks for and a typo in a query became a 500. Re-create them in this module's realm.
 */
const foreignParseErrors: Plugin = {
  onParse:
    () =>
    ({ result, replaceParseResult }) => {
      if (result instanceof Error && !(result instanceof GraphQLError) && result.name === "GraphQLError") {
        const { source, positions, extensions } = result as unknown as GraphQLError;
        replaceParseResult(new GraphQLError(result.message, { source, positions, extensions }));
      }
    },
};

/** A busy database is temporary: 503 with Retry-After, like the REST surfaces, instead of a masked 500. */
const maskErrorsButBusyDatabase: MaskError = (error, message, isDev) => {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (!isDatabaseUnavailable(original)) return maskError(error, message, isDev);
  return new GraphQLError(DATABASE_BUSY_MESSAGE, {
    extensions: {
      code: "SERVICE_UNAVAILABLE",
      http: { status: 503, headers: { "Retry-After": String(DATABASE_RETRY_AFTER_SECONDS) } },
    },
  });
};

/**
 * Created once per isolate: building the schema and plugins per request would dominate latency.
 * Armor bounds depth, cost, aliases and tokens so one query cannot exhaust the worker or the database.
 */
export const yoga = createYoga<GraphQLContext>({
  schema,
  graphqlEndpoint: "/graphql",
  landingPage: false,
  graphiql: { title: "Switchboard GraphQL" },
  // CORS is the worker's one policy (API_CORS_ORIGINS, edge/src/http/cors.ts), not Yoga's allow-all default.
  cors: false,
  // Never echo internal messages or stacks, whatever the environment.
  maskedErrors: { isDev: false, maskError: maskErrorsButBusyDatabase },
  plugins: [
    EnvelopArmorPlugin({
      maxDepth: { n: 8 },
      costLimit: { maxCost: 5000 },
      maxAliases: { n: 15 },
      maxDirectives: { n: 20 },
      maxTokens: { n: 2000 },
    }),
    foreignParseErrors,
  ],
});
