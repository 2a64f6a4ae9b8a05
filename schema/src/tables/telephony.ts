import { index, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { agents } from "./agents.js";
import { createdAt, id, orgId, updatedAt } from "./columns.js";

/** A dialable number. Inbound calls to it run its agent; campaigns may present it as caller id. */
export const phoneNumbers = pgTable(
  "phone_numbers",
  {
    id: id(),
    orgId: orgId(),
    /** E.164; globally unique because the dialled number alone picks the tenant. */
    e164: text("e164").notNull(),
    label: text("label"),
    agentId: uuid("agent_id").references(() => agents.id, { onDelete: "set null" }),
    sipTrunk: text("sip_trunk"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("phone_numbers_e164_key").on(t.e164), index("phone_numbers_org_idx").on(t.orgId, t.e164)],
);
