import { createRoute, z } from "@hono/zod-openapi";
import {
  type AgentRow,
  agentsByIds,
  createAgent,
  deleteAgent,
  listAgentPage,
  updateAgent,
} from "../../agents/service.js";
import { caller } from "./auth.js";
import { voiceEraError } from "./errors.js";
import { voiceEraTimestamp } from "./format.js";
import {
  AgentIdParams,
  AUTHENTICATED_ERRORS,
  BEARER_SECURITY,
  errorResponse,
  json,
  jsonBody,
  pagingQuery,
  Timestamp,
} from "./schemas.js";
import type { VoiceEraApp } from "./surface.js";

const tags = ["VoiceERA: Agents"];
const NOT_FOUND = { 404: errorResponse("AGENT_001 agent not found") };

const STATUSES = ["active", "inactive"] as const;

const AgentFields = {
  name: z.string().openapi({ example: "Support Agent" }),
  description: z.string().optional().openapi({ example: "Handles customer support" }),
  llm_provider: z.string().optional().openapi({ example: "openai" }),
  llm_model: z.string().optional().openapi({ example: "gpt-4" }),
  stt_provider: z.string().optional().openapi({ example: "deepgram" }),
  tts_provider: z.string().optional().openapi({ example: "cartesia" }),
  system_prompt: z.string().optional(),
  language: z.string().optional().openapi({ example: "en" }),
  voice_parameters: z.record(z.string(), z.unknown()).optional(),
  status: z.enum(STATUSES).optional(),
};

const AgentCreateBody = z.object(AgentFields).openapi("VoiceEraAgentCreate");
const AgentUpdateBody = z.object(AgentFields).partial().openapi("VoiceEraAgentUpdate");

const AgentSummary = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  llm_provider: z.string().nullable(),
  llm_model: z.string().nullable(),
  status: z.enum(STATUSES),
  created_at: Timestamp,
});

const AgentList = z
  .object({ total: z.number().int(), skip: z.number().int(), limit: z.number().int(), items: z.array(AgentSummary) })
  .openapi("VoiceEraAgentList");

const AgentDetail = AgentSummary.extend({
  user_id: z.string().nullable(),
  stt_provider: z.string().nullable(),
  tts_provider: z.string().nullable(),
  system_prompt: z.string().nullable(),
  language: z.string(),
  voice_parameters: z.record(z.string(), z.unknown()).nullable(),
}).openapi("VoiceEraAgent");

const listRoute = createRoute({
  method: "get",
  path: "/agents",
  tags,
  summary: "List Agents",
  security: BEARER_SECURITY,
  request: {
    query: z.object({
      ...pagingQuery(10),
      search: z.string().max(200).optional().openapi({ description: "In the name or description" }),
      status: z.enum(STATUSES).optional(),
    }),
  },
  responses: { 200: json(AgentList, "Agents"), ...AUTHENTICATED_ERRORS },
});

const createAgentRoute = createRoute({
  method: "post",
  path: "/agents",
  tags,
  summary: "Create Agent",
  description: "A voice agent driven by the named LLM (`llm_model` is required).",
  security: BEARER_SECURITY,
  request: jsonBody(AgentCreateBody),
  responses: {
    201: json(
      z.object({ id: z.string(), name: z.string(), status: z.enum(STATUSES), created_at: Timestamp }),
      "Created",
    ),
    409: errorResponse("AGENT_002 an agent of that name already exists"),
    ...AUTHENTICATED_ERRORS,
  },
});

const getRoute = createRoute({
  method: "get",
  path: "/agents/{agent_id}",
  tags,
  summary: "Get Agent",
  security: BEARER_SECURITY,
  request: { params: AgentIdParams },
  responses: { 200: json(AgentDetail, "The agent"), ...NOT_FOUND, ...AUTHENTICATED_ERRORS },
});

const updateRoute = createRoute({
  method: "put",
  path: "/agents/{agent_id}",
  tags,
  summary: "Update Agent",
  description: "Changes the fields given; the others stay.",
  security: BEARER_SECURITY,
  request: { params: AgentIdParams, ...jsonBody(AgentUpdateBody) },
  responses: {
    200: json(z.object({ id: z.string(), name: z.string(), updated_at: Timestamp }), "Updated"),
    409: errorResponse("AGENT_002 an agent of that name already exists"),
    ...NOT_FOUND,
    ...AUTHENTICATED_ERRORS,
  },
});

const deleteRoute = createRoute({
  method: "delete",
  path: "/agents/{agent_id}",
  tags,
  summary: "Delete Agent",
  security: BEARER_SECURITY,
  request: { params: AgentIdParams },
  responses: {
    204: { description: "Deleted" },
    409: errorResponse("AGENT_003 a campaign still uses the agent"),
    ...NOT_FOUND,
    ...AUTHENTICATED_ERRORS,
  },
});

type AgentBody = z.infer<typeof AgentUpdateBody>;

/** VoiceERA's agent fields in the domain's words; a VoiceERA agent is a voice agent run by an LLM. */
function agentInput(body: AgentBody) {
  return {
    name: body.name,
    description: body.description,
    llmProvider: body.llm_provider,
    llmModel: body.llm_model,
    sttProvider: body.stt_provider,
    ttsProvider: body.tts_provider,
    systemPrompt: body.system_prompt,
    language: body.language,
    voiceParameters: body.voice_parameters,
    status: body.status,
  };
}

function withoutUndefined<T extends Record<string, unknown>>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function summary(agent: AgentRow) {
  return {
    id: agent.id,
    name: agent.name,
    description: agent.description,
    llm_provider: agent.llmProvider,
    llm_model: agent.llmModel,
    status: agent.status,
    created_at: voiceEraTimestamp(agent.createdAt),
  };
}

export function registerAgentRoutes(app: VoiceEraApp): void {
  app.openapi(listRoute, async (c) => {
    const principal = caller(c, "agents:read");
    const { skip, limit, search, status } = c.req.valid("query");
    const page = await listAgentPage(c.var.database.db, principal.orgId, { search, status }, { offset: skip, limit });
    return c.json({ total: page.total, skip, limit, items: page.rows.map(summary) }, 200);
  });

  app.openapi(createAgentRoute, async (c) => {
    const principal = caller(c, "agents:write");
    const input = { ...withoutUndefined(agentInput(c.req.valid("json"))), kind: "voice", mode: "llm" };
    const agent = await createAgent(c.var.database.db, principal.orgId, principal.userId, input);
    return c.json(
      { id: agent.id, name: agent.name, status: agent.status, created_at: voiceEraTimestamp(agent.createdAt) },
      201,
    );
  });

  app.openapi(getRoute, async (c) => {
    const principal = caller(c, "agents:read");
    const { agent_id } = c.req.valid("param");
    const [agent] = await agentsByIds(c.var.database.db, principal.orgId, [agent_id]);
    if (!agent) throw voiceEraError("AGENT_001", `Agent ${agent_id} not found`);
    return c.json(
      {
        ...summary(agent),
        user_id: agent.createdByUserId,
        stt_provider: agent.sttProvider,
        tts_provider: agent.ttsProvider,
        system_prompt: agent.systemPrompt,
        language: agent.language,
        voice_parameters: agent.voiceParameters,
      },
      200,
    );
  });

  app.openapi(updateRoute, async (c) => {
    const principal = caller(c, "agents:write");
    const { agent_id } = c.req.valid("param");
    const changes = withoutUndefined(agentInput(c.req.valid("json")));
    const agent = await updateAgent(c.var.database.db, principal.orgId, agent_id, changes);
    return c.json({ id: agent.id, name: agent.name, updated_at: voiceEraTimestamp(agent.updatedAt) }, 200);
  });

  app.openapi(deleteRoute, async (c) => {
    const principal = caller(c, "agents:write");
    await deleteAgent(c.var.database.db, principal.orgId, c.req.valid("param").agent_id);
    return c.body(null, 204);
  });
}
