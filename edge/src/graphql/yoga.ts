import { EnvelopArmorPlugin } from "@escape.tech/graphql-armor";
import { GraphQLError } from "graphql";
import { createYoga, type Plugin } from "graphql-yoga";
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
  maskedErrors: { isDev: false },
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
