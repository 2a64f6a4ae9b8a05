import { builder } from "../graphql/builder.js";
import { db, orgOf } from "../graphql/context.js";
import { getOrganisation, type OrganisationRow, type UserRow } from "./service.js";

export const Organization = builder.objectRef<OrganisationRow>("Organization").implement({
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    slug: t.exposeString("slug"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

export const User = builder.objectRef<UserRow>("User").implement({
  fields: (t) => ({
    id: t.exposeID("id"),
    email: t.exposeString("email"),
    firstName: t.exposeString("firstName", { nullable: true }),
    lastName: t.exposeString("lastName", { nullable: true }),
    role: t.exposeString("role"),
    lastLoginAt: t.expose("lastLoginAt", { type: "DateTime", nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

builder.queryField("organization", (t) =>
  t.field({
    type: Organization,
    description: "The caller's organisation.",
    authScopes: { authenticated: true },
    resolve: async (_root, _args, context) => {
      const org = await getOrganisation(db(context), orgOf(context));
      if (!org) throw new Error("principal's organisation is missing");
      return org;
    },
  }),
);
