import { agents, campaigns } from "@switchboard/schema";
import { and, count, desc, eq, ilike, inArray, or, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../db/client.js";
import { ConflictError, NotFoundError, ValidationError } from "../shared/errors.js";
import { isUuid } from "../shared/ids.js";
import { type KeysetPage, keyset } from "../shared/keyset.js";
import { parseInput } from "../shared/validate.js";

export type AgentRow = typeof agents.$inferSelect;

/** A campaign still uses the agent, so it cannot be deleted. */
export class AgentInUseError extends ConflictError {
  constructor(readonly campaigns: number) {
    super(`The agent is used by ${campaigns} campaign(s); delete or reassign them first`);
  }
}

const step = z.looseObject({
  message_text: z.string().max(5000).optional(),
  intent_mapping: z.record(z.string(), z.string()).optional(),
  result: z.string().optional(),
  is_terminal: z.boolean().optional(),
});

/** A scenario: named steps whose intent mappings point at other steps. */
export const scenarioDocument = z
  .looseObject({ name: z.string().min(1).max(200), steps: z.record(z.string(), step) })
  .superRefine((scenario, ctx) => {
    if (Object.keys(scenario.steps).length === 0)
      ctx.addIssue({ code: "custom", path: ["steps"], message: "At least one step is required" });
    for (const [name, definition] of Object.entries(scenario.steps)) {
      for (const [intent, target] of Object.entries(definition.intent_mapping ?? {})) {
        if (!(target in scenario.steps)) {
          ctx.addIssue({
            code: "custom",
            path: ["steps", name, "intent_mapping", intent],
            message: `Unknown step '${target}'`,
          });
        }
      }
    }
  });

const agentFields = z.object({
  name: z.string().trim().min(1).max(200),
  slug: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,99}$/, "Lower-case letters, digits, '_' and '-', at most 100")
    .optional(),
  description: z.string().max(1000).optional(),
  kind: z.enum(["voice", "chat"]),
  mode: z.enum(["scenario", "llm"]),
  status: z.enum(["active", "inactive"]).optional(),
  language: z.string().min(2).max(10).optional(),
  scenario: scenarioDocument.optional(),
  llmProvider: z.string().max(50).optional(),
  llmModel: z.string().max(100).optional(),
  systemPrompt: z.string().max(20_000).optional(),
  temperature: z.number().min(0).max(2).optional(),
  sttProvider: z.string().max(50).optional(),
  ttsProvider: z.string().max(50).optional(),
  voiceParameters: z.record(z.string(), z.unknown()).optional(),
});

export const createAgentInput = agentFields.superRefine(requireModeConfiguration);
export const updateAgentInput = agentFields.partial();

function requireModeConfiguration(agent: Partial<z.infer<typeof agentFields>>, ctx: z.RefinementCtx): void {
  if (agent.mode === "scenario" && !agent.scenario) {
    ctx.addIssue({ code: "custom", path: ["scenario"], message: "A scenario agent needs a scenario document" });
  }
  if (agent.mode === "llm" && !agent.llmModel) {
    ctx.addIssue({ code: "custom", path: ["llmModel"], message: "An LLM agent needs llmModel" });
  }
}

export type AgentFilter = { search?: string | undefined; status?: AgentRow["status"] | undefined };

/** The organisation's agents matching the filter: `search` matches name or description, literally. */
function agentConditions(orgId: string, filter: AgentFilter): SQL | undefined {
  const pattern = filter.search ? `%${escapeLike(filter.search)}%` : undefined;
  return and(
    eq(agents.orgId, orgId),
    filter.status ? eq(agents.status, filter.status) : undefined,
    pattern ? or(ilike(agents.name, pattern), ilike(agents.description, pattern)) : undefined,
  );
}

/** By slug, keyset-paged (GraphQL connections). */
export function listAgents(
  db: Database,
  orgId: string,
  filter: AgentFilter,
  page: KeysetPage<string>,
): Promise<AgentRow[]> {
  const { conditions, orderBy, limit } = keyset(agents.slug, page, "asc");
  return db
    .select()
    .from(agents)
    .where(and(agentConditions(orgId, filter), ...conditions))
    .orderBy(orderBy)
    .limit(limit);
}

/** Newest first, offset-paged, with the total for the same filter (VoiceERA's list). */
export async function listAgentPage(
  db: Database,
  orgId: string,
  filter: AgentFilter,
  page: { limit: number; offset: number },
): Promise<{ total: number; rows: AgentRow[] }> {
  const where = agentConditions(orgId, filter);
  const [totals] = await db.select({ total: count() }).from(agents).where(where);
  const rows = await db
    .select()
    .from(agents)
    .where(where)
    .orderBy(desc(agents.createdAt), desc(agents.id))
    .limit(page.limit)
    .offset(page.offset);
  return { total: totals?.total ?? 0, rows };
}

/** A search term matched literally: LIKE's wildcards in it are escaped. */
function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (char) => `\\${char}`);
}

export async function agentsByIds(db: Database, orgId: string, ids: readonly string[]): Promise<AgentRow[]> {
  const valid = ids.filter(isUuid);
  if (valid.length === 0) return [];
  return db
    .select()
    .from(agents)
    .where(and(eq(agents.orgId, orgId), inArray(agents.id, valid)));
}

export async function createAgent(
  db: Database,
  orgId: string,
  userId: string | null,
  input: unknown,
): Promise<AgentRow> {
  const data = parseInput(createAgentInput, input);
  const [created] = await db
    .insert(agents)
    .values({ ...data, slug: data.slug ?? slugFromName(data.name), orgId, createdByUserId: userId })
    .onConflictDoNothing({ target: [agents.orgId, agents.slug] })
    .returning();
  if (!created) throw new ConflictError("An agent with this slug already exists");
  return created;
}

export async function updateAgent(db: Database, orgId: string, id: string, input: unknown): Promise<AgentRow> {
  const changes = parseInput(updateAgentInput, input);
  const [existing] = await agentsByIds(db, orgId, [id]);
  if (!existing) throw new NotFoundError("Agent");
  const merged = {
    mode: changes.mode ?? existing.mode,
    scenario: changes.scenario ?? existing.scenario ?? undefined,
    llmModel: changes.llmModel ?? existing.llmModel ?? undefined,
  };
  parseInput(z.any().superRefine(requireModeConfiguration), merged, "Invalid agent");
  try {
    const [updated] = await db
      .update(agents)
      .set(changes)
      .where(and(eq(agents.orgId, orgId), eq(agents.id, id)))
      .returning();
    if (!updated) throw new NotFoundError("Agent");
    return updated;
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError("An agent with this slug already exists");
    throw error;
  }
}

/** Deletes an agent unless a campaign still uses it. */
export async function deleteAgent(db: Database, orgId: string, id: string): Promise<AgentRow> {
  if (!isUuid(id)) throw new NotFoundError("Agent");
  const [usage] = await db
    .select({ campaigns: count() })
    .from(campaigns)
    .where(and(eq(campaigns.orgId, orgId), eq(campaigns.agentId, id)));
  if (usage && usage.campaigns > 0) {
    throw new AgentInUseError(usage.campaigns);
  }
  const [deleted] = await db
    .delete(agents)
    .where(and(eq(agents.orgId, orgId), eq(agents.id, id)))
    .returning();
  if (!deleted) throw new NotFoundError("Agent");
  return deleted;
}

function slugFromName(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 90);
  if (!slug)
    throw new ValidationError("Invalid agent", [{ path: ["slug"], message: "Cannot derive a slug; give one" }]);
  return slug;
}

function isUniqueViolation(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } })?.cause;
  return (error as { code?: string })?.code === "23505" || cause?.code === "23505";
}
