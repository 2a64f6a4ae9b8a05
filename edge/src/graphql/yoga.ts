import { EnvelopArmorPlugin } from "@escape.tech/graphql-armor";
import { createYoga } from "graphql-yoga";
import type { GraphQLContext } from "./context.js";
import { schema } from "./schema.js";

/**
 * Created once per isolate: building the schema and plugins per request would dominate latency.
 * Armor bounds depth, cost, aliases and tokens so one query cannot exhaust the worker or the database.
 */
export const yoga = createYoga<GraphQLContext>({
  schema,
  graphqlEndpoint: "/graphql",
  landingPage: false,
  graphiql: { title: "Switchboard GraphQL" },
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
  ],
});
