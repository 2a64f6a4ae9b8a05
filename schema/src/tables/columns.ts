import { sql } from "drizzle-orm";
import { timestamp, uuid } from "drizzle-orm/pg-core";
import { organisations } from "./organisations.js";

/** Shared column builders: every tenant-owned table starts with these. */
export const id = () => uuid("id").primaryKey().defaultRandom();

export const orgId = () =>
  uuid("org_id")
    .notNull()
    .references(() => organisations.id, { onDelete: "cascade" });

export const at = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

export const createdAt = () => at("created_at").notNull().defaultNow();

export const updatedAt = () =>
  at("updated_at")
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date());

/** 24 lowercase hex characters, the shape of SpeechAI's Mongo object ids. */
export const objectIdDefault = sql`left(replace(gen_random_uuid()::text, '-', ''), 24)`;
