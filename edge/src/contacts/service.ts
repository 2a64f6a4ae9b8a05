import { contacts } from "@switchboard/schema";
import { and, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../db/client.js";
import { NotFoundError, ValidationError } from "../shared/errors.js";
import { isUuid } from "../shared/ids.js";
import { type KeysetPage, keyset } from "../shared/keyset.js";
import { parseInput } from "../shared/validate.js";
import { countryCode, toE164 } from "./phone.js";

export type ContactRow = typeof contacts.$inferSelect;
/** The contact fields shown beside a call in listings and exports. */
export type ContactCard = Pick<ContactRow, "phone" | "firstName" | "lastName" | "email" | "company">;

export const DEFAULT_COUNTRY = "FR";

const optionalText = (max: number) => z.string().trim().max(max).optional();

/** The fields a caller may set. Phones are normalised against `country` (or the default). */
export const contactFields = z.object({
  phone: z.string().trim().min(3).max(32),
  alternatePhones: z.array(z.string().trim().min(3).max(32)).max(5).optional(),
  firstName: optionalText(100),
  lastName: optionalText(100),
  email: z.email().max(254).optional(),
  company: optionalText(200),
  externalRef: optionalText(100),
  country: countryCode.optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
});

type ContactFields = z.infer<typeof contactFields>;

export function listContacts(db: Database, orgId: string, page: KeysetPage<number>): Promise<ContactRow[]> {
  const { conditions, orderBy, limit } = keyset(contacts.number, page, "asc");
  return db
    .select()
    .from(contacts)
    .where(and(eq(contacts.orgId, orgId), ...conditions))
    .orderBy(orderBy)
    .limit(limit);
}

export async function contactsByIds(db: Database, orgId: string, ids: readonly string[]): Promise<ContactRow[]> {
  const valid = ids.filter(isUuid);
  if (valid.length === 0) return [];
  return db
    .select()
    .from(contacts)
    .where(and(eq(contacts.orgId, orgId), inArray(contacts.id, valid)));
}

export async function createContact(db: Database, orgId: string, input: unknown): Promise<ContactRow> {
  const values = normalise(parseInput(contactFields, input));
  const [created] = await db
    .insert(contacts)
    .values({ ...values, orgId })
    .returning();
  if (!created) throw new Error("contact insert returned nothing");
  return created;
}

export async function updateContact(db: Database, orgId: string, id: string, input: unknown): Promise<ContactRow> {
  const changes = parseInput(contactFields.partial(), input);
  const existing = await requireContact(db, orgId, id);
  const values = normalise({ ...fieldsOf(existing), ...changes });
  const [updated] = await db
    .update(contacts)
    .set(values)
    .where(and(eq(contacts.orgId, orgId), eq(contacts.id, id)))
    .returning();
  if (!updated) throw new NotFoundError("Contact");
  return updated;
}

export async function deleteContact(db: Database, orgId: string, id: string): Promise<ContactRow> {
  if (!isUuid(id)) throw new NotFoundError("Contact");
  const [deleted] = await db
    .delete(contacts)
    .where(and(eq(contacts.orgId, orgId), eq(contacts.id, id)))
    .returning();
  if (!deleted) throw new NotFoundError("Contact");
  return deleted;
}

async function requireContact(db: Database, orgId: string, id: string): Promise<ContactRow> {
  const [found] = await contactsByIds(db, orgId, [id]);
  if (!found) throw new NotFoundError("Contact");
  return found;
}

/** Turns validated fields into column values; phones that cannot be read in the country fail validation. */
export function normalise(fields: ContactFields): Omit<typeof contacts.$inferInsert, "orgId"> {
  const country = fields.country ?? DEFAULT_COUNTRY;
  const phones = [fields.phone, ...(fields.alternatePhones ?? [])].map((raw, index) => {
    const e164 = toE164(raw, country);
    if (!e164) {
      const path = index === 0 ? ["phone"] : ["alternatePhones", String(index - 1)];
      throw new ValidationError("Invalid contact", [{ path, message: `'${raw}' is not a valid phone number` }]);
    }
    return e164;
  });
  return {
    phone: phones[0] ?? fields.phone,
    alternatePhones: phones.slice(1),
    firstName: fields.firstName ?? null,
    lastName: fields.lastName ?? null,
    email: fields.email ?? null,
    company: fields.company ?? null,
    externalRef: fields.externalRef ?? null,
    country: fields.country ?? null,
    attributes: fields.attributes ?? {},
  };
}

function fieldsOf(row: ContactRow): ContactFields {
  const present = <T>(value: T | null) => value ?? undefined;
  return {
    phone: row.phone,
    alternatePhones: row.alternatePhones,
    firstName: present(row.firstName),
    lastName: present(row.lastName),
    email: present(row.email),
    company: present(row.company),
    externalRef: present(row.externalRef),
    country: present(row.country),
    attributes: row.attributes,
  };
}

/** The subset of `phones` already used by the organisation's contacts. */
export async function existingPhones(db: Database, orgId: string, phones: string[]): Promise<Set<string>> {
  if (phones.length === 0) return new Set();
  const existing = await db
    .select({ phone: contacts.phone })
    .from(contacts)
    .where(and(eq(contacts.orgId, orgId), inArray(contacts.phone, phones)));
  return new Set(existing.map((row) => row.phone));
}
