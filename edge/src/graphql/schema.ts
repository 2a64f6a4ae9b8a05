import "./scalars.js";
import "./roots.js";
import "./errors.js";
import "../organisations/organisation.graphql.js";
import "../identity/identity.graphql.js";
import "../agents/agent.graphql.js";
import "../contacts/contact.graphql.js";
import "../calls/call.graphql.js";
import "../billing/billing.graphql.js";
import "../campaigns/campaign.graphql.js";
import "../batches/batch.graphql.js";
import "../stats/stats.graphql.js";
import "../analytics/analytics.graphql.js";
import "../live/live.graphql.js";
import "../webhooks/webhook.graphql.js";
import "../support/support.graphql.js";
import { builder } from "./builder.js";

export const schema = builder.toSchema({ sortSchema: true });
