import { relations } from "drizzle-orm";
import { agents } from "./tables/agents.js";
import { accounts } from "./tables/billing.js";
import { callAttempts, callEvents, calls, callTurns } from "./tables/calls.js";
import { campaigns } from "./tables/campaigns.js";
import { conversations, messages } from "./tables/chat.js";
import { contacts } from "./tables/contacts.js";
import { interventions, orders } from "./tables/orders.js";

export const campaignRelations = relations(campaigns, ({ one, many }) => ({
  agent: one(agents, { fields: [campaigns.agentId], references: [agents.id] }),
  account: one(accounts, { fields: [campaigns.accountId], references: [accounts.id] }),
  calls: many(calls),
}));

export const callRelations = relations(calls, ({ one, many }) => ({
  campaign: one(campaigns, { fields: [calls.campaignId], references: [campaigns.id] }),
  contact: one(contacts, { fields: [calls.contactId], references: [contacts.id] }),
  attempts: many(callAttempts),
  turns: many(callTurns),
  events: many(callEvents),
}));

export const callTurnRelations = relations(callTurns, ({ one }) => ({
  call: one(calls, { fields: [callTurns.callId], references: [calls.id] }),
}));

export const callAttemptRelations = relations(callAttempts, ({ one }) => ({
  call: one(calls, { fields: [callAttempts.callId], references: [calls.id] }),
}));

export const callEventRelations = relations(callEvents, ({ one }) => ({
  call: one(calls, { fields: [callEvents.callId], references: [calls.id] }),
}));

export const conversationRelations = relations(conversations, ({ many }) => ({
  messages: many(messages),
}));

export const messageRelations = relations(messages, ({ one }) => ({
  conversation: one(conversations, { fields: [messages.conversationId], references: [conversations.id] }),
}));

export const orderRelations = relations(orders, ({ many }) => ({
  interventions: many(interventions),
}));

export const interventionRelations = relations(interventions, ({ one }) => ({
  order: one(orders, { fields: [interventions.orderId], references: [orders.id] }),
}));
