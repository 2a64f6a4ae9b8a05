import { type InputFieldBuilder, withoutNulls } from "../graphql/args.js";
import { builder } from "../graphql/builder.js";
import { db, orgOf } from "../graphql/context.js";
import { writeErrors } from "../graphql/errors.js";
import { numberConnection } from "../graphql/pagination.js";
import { type ImportReport, type ImportRowError, importContactsCsv } from "./csv-import.js";
import type { ContactRow } from "./service.js";
import { contactsByIds, createContact, deleteContact, listContacts, updateContact } from "./service.js";

export const Contact = builder.loadableNode("Contact", {
  id: { resolve: (contact: ContactRow) => contact.id },
  load: (ids: string[], context) => contactsByIds(db(context), orgOf(context), ids),
  sort: (contact) => contact.id,
  authScopes: { scope: "contacts:read" },
  fields: (t) => ({
    number: t.exposeInt("number", { description: "Integer id used by legacy clients (MiniBotPanel's contact_ids)." }),
    phone: t.exposeString("phone"),
    alternatePhones: t.exposeStringList("alternatePhones"),
    firstName: t.exposeString("firstName", { nullable: true }),
    lastName: t.exposeString("lastName", { nullable: true }),
    email: t.exposeString("email", { nullable: true }),
    company: t.exposeString("company", { nullable: true }),
    externalRef: t.exposeString("externalRef", { nullable: true }),
    country: t.exposeString("country", { nullable: true }),
    optedOut: t.exposeBoolean("optedOut"),
    attributes: t.expose("attributes", { type: "JSON" }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
  }),
});

const contactInputFields = (required: boolean) => (t: InputFieldBuilder) => ({
  phone: t.string({ required }),
  alternatePhones: t.stringList(),
  firstName: t.string(),
  lastName: t.string(),
  email: t.string(),
  company: t.string(),
  externalRef: t.string(),
  country: t.string({ description: "ISO 3166 alpha-2; national phone formats are read in this country." }),
  attributes: t.field({ type: "JSON" }),
});

const ContactInput = builder.inputType("ContactInput", { fields: contactInputFields(true) });
const ContactPatch = builder.inputType("ContactPatch", { fields: contactInputFields(false) });

const ImportError = builder.objectRef<ImportRowError>("ContactImportRowError").implement({
  fields: (t) => ({
    line: t.exposeInt("line", { description: "Line in the file, counting the header as line 1." }),
    field: t.exposeString("field", { nullable: true }),
    message: t.exposeString("message"),
  }),
});

const ImportResult = builder.objectRef<ImportReport>("ContactImportResult").implement({
  fields: (t) => ({
    imported: t.exposeInt("imported"),
    failed: t.exposeInt("failed"),
    errors: t.field({ type: [ImportError], resolve: (report) => report.errors }),
  }),
});

builder.queryFields((t) => ({
  contacts: t.connection({
    type: Contact,
    authScopes: { scope: "contacts:read" },
    resolve: (_root, args, context) =>
      numberConnection(args, (page) => listContacts(db(context), orgOf(context), page)),
  }),
}));

builder.mutationFields((t) => ({
  createContact: t.field({
    type: Contact,
    authScopes: { scope: "contacts:write" },
    errors: { types: writeErrors },
    args: { input: t.arg({ type: ContactInput, required: true }) },
    resolve: (_root, { input }, context) => createContact(db(context), orgOf(context), withoutNulls(input)),
  }),
  updateContact: t.field({
    type: Contact,
    authScopes: { scope: "contacts:write" },
    errors: { types: writeErrors },
    args: {
      id: t.arg.globalID({ required: true, for: [Contact] }),
      input: t.arg({ type: ContactPatch, required: true }),
    },
    resolve: (_root, { id, input }, context) => updateContact(db(context), orgOf(context), id.id, withoutNulls(input)),
  }),
  deleteContact: t.field({
    type: Contact,
    authScopes: { scope: "contacts:write" },
    errors: { types: writeErrors },
    args: { id: t.arg.globalID({ required: true, for: [Contact] }) },
    resolve: (_root, { id }, context) => deleteContact(db(context), orgOf(context), id.id),
  }),
  importContacts: t.field({
    type: ImportResult,
    description: "Bulk import from CSV with a header row (phone required). Bad rows are reported, good rows kept.",
    authScopes: { scope: "contacts:write" },
    errors: { types: writeErrors },
    args: { csv: t.arg.string({ required: true }), defaultCountry: t.arg.string() },
    resolve: (_root, args, context) => importContactsCsv(db(context), orgOf(context), withoutNulls(args)),
  }),
}));
