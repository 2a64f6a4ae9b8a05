import { type InputFieldBuilder, withoutNulls } from "../graphql/args.js";
import { builder } from "../graphql/builder.js";
import { db, orgOf, principalOf } from "../graphql/context.js";
import { writeErrors } from "../graphql/errors.js";
import { textConnection } from "../graphql/pagination.js";
import { type AgentRow, agentsByIds, createAgent, deleteAgent, listAgents, updateAgent } from "./service.js";

const AgentKind = builder.enumType("AgentKind", { values: ["voice", "chat"] as const });
const AgentMode = builder.enumType("AgentMode", { values: ["scenario", "llm"] as const });
const AgentStatus = builder.enumType("AgentStatus", { values: ["active", "inactive"] as const });

export const Agent = builder.loadableNode("Agent", {
  id: { resolve: (agent: AgentRow) => agent.id },
  load: (ids: string[], context) => agentsByIds(db(context), orgOf(context), ids),
  sort: (agent) => agent.id,
  authScopes: { scope: "agents:read" },
  fields: (t) => ({
    slug: t.exposeString("slug", { description: "Stable name; MiniBotPanel's `scenario` field refers to it." }),
    name: t.exposeString("name"),
    description: t.exposeString("description", { nullable: true }),
    kind: t.field({ type: AgentKind, resolve: (agent) => agent.kind }),
    mode: t.field({ type: AgentMode, resolve: (agent) => agent.mode }),
    status: t.field({ type: AgentStatus, resolve: (agent) => agent.status }),
    language: t.exposeString("language"),
    scenario: t.expose("scenario", { type: "JSON", nullable: true }),
    llmProvider: t.exposeString("llmProvider", { nullable: true }),
    llmModel: t.exposeString("llmModel", { nullable: true }),
    systemPrompt: t.exposeString("systemPrompt", { nullable: true }),
    temperature: t.exposeFloat("temperature", { nullable: true }),
    sttProvider: t.exposeString("sttProvider", { nullable: true }),
    ttsProvider: t.exposeString("ttsProvider", { nullable: true }),
    voiceParameters: t.expose("voiceParameters", { type: "JSON", nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
  }),
});

const agentInputFields = (required: boolean) => (t: InputFieldBuilder) => ({
  name: t.string({ required }),
  slug: t.string(),
  description: t.string(),
  kind: t.field({ type: AgentKind, required }),
  mode: t.field({ type: AgentMode, required }),
  status: t.field({ type: AgentStatus }),
  language: t.string(),
  scenario: t.field({
    type: "JSON",
    description: "Scenario document: { name, steps: { <step>: { message_text, intent_mapping } } }",
  }),
  llmProvider: t.string(),
  llmModel: t.string(),
  systemPrompt: t.string(),
  temperature: t.float(),
  sttProvider: t.string(),
  ttsProvider: t.string(),
  voiceParameters: t.field({ type: "JSON" }),
});

const AgentInput = builder.inputType("AgentInput", { fields: agentInputFields(true) });
const AgentPatch = builder.inputType("AgentPatch", { fields: agentInputFields(false) });

builder.queryFields((t) => ({
  agents: t.connection({
    type: Agent,
    authScopes: { scope: "agents:read" },
    args: {
      search: t.arg.string({ description: "Part of the name or description, matched literally." }),
      status: t.arg({ type: AgentStatus }),
    },
    resolve: (_root, args, context) =>
      textConnection(
        args,
        (agent: AgentRow) => agent.slug,
        (page) =>
          listAgents(
            db(context),
            orgOf(context),
            { search: args.search ?? undefined, status: args.status ?? undefined },
            page,
          ),
      ),
  }),
}));

builder.mutationFields((t) => ({
  createAgent: t.field({
    type: Agent,
    authScopes: { scope: "agents:write" },
    errors: { types: writeErrors },
    args: { input: t.arg({ type: AgentInput, required: true }) },
    resolve: (_root, { input }, context) =>
      createAgent(db(context), orgOf(context), principalOf(context).userId, withoutNulls(input)),
  }),
  updateAgent: t.field({
    type: Agent,
    authScopes: { scope: "agents:write" },
    errors: { types: writeErrors },
    args: { id: t.arg.globalID({ required: true, for: [Agent] }), input: t.arg({ type: AgentPatch, required: true }) },
    resolve: (_root, { id, input }, context) => updateAgent(db(context), orgOf(context), id.id, withoutNulls(input)),
  }),
  deleteAgent: t.field({
    type: Agent,
    authScopes: { scope: "agents:write" },
    errors: { types: writeErrors },
    args: { id: t.arg.globalID({ required: true, for: [Agent] }) },
    resolve: (_root, { id }, context) => deleteAgent(db(context), orgOf(context), id.id),
  }),
}));
