/** The data model shared by the edge and the tools: every table, enum and relation. */
export * from "./enums.js";
export * from "./internal/calls.js";
export * from "./internal-signature.js";
export * from "./relations.js";
export * from "./tables/agents.js";
export * from "./tables/billing.js";
export * from "./tables/calls.js";
export * from "./tables/campaigns.js";
export * from "./tables/chat.js";
export * from "./tables/contacts.js";
export * from "./tables/identity.js";
export * from "./tables/orders.js";
export * from "./tables/organisations.js";
export * from "./tables/support.js";
export * from "./tables/telephony.js";
export * from "./tables/webhooks.js";
