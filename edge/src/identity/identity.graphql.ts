import { withoutNulls } from "../graphql/args.js";
import { builder } from "../graphql/builder.js";
import { db, type GraphQLContext, principalOf } from "../graphql/context.js";
import { writeErrors } from "../graphql/errors.js";
import { Organization, User } from "../organisations/organisation.graphql.js";
import { getOrganisation, getUser } from "../organisations/service.js";
import { AuthenticationError, ConflictError, ValidationError } from "../shared/errors.js";
import { login, register } from "./accounts.js";
import { type ApiKeyRow, createApiKey, listApiKeys, revokeApiKey } from "./api-keys.js";
import { logout } from "./logout.js";
import type { Principal } from "./principal.js";
import { ALL_SCOPES } from "./scopes.js";
import { rotateRefreshToken, type TokenPair } from "./sessions.js";

const ScopeEnum = builder.enumType("Scope", {
  values: Object.fromEntries(ALL_SCOPES.map((scope) => [scope.replace(":", "_").toUpperCase(), { value: scope }])),
});

const PrincipalKind = builder.enumType("PrincipalKind", { values: ["user", "api_key", "legacy_password"] as const });

const ApiKey = builder.objectRef<ApiKeyRow>("ApiKey").implement({
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    prefix: t.exposeString("prefix", { description: "The key's first characters, to tell keys apart." }),
    scopes: t.field({ type: [ScopeEnum], resolve: (key) => key.scopes as (typeof ALL_SCOPES)[number][] }),
    expiresAt: t.expose("expiresAt", { type: "DateTime", nullable: true }),
    revokedAt: t.expose("revokedAt", { type: "DateTime", nullable: true }),
    lastUsedAt: t.expose("lastUsedAt", { type: "DateTime", nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

const CreatedApiKey = builder.objectRef<{ apiKey: ApiKeyRow; secret: string }>("CreatedApiKey").implement({
  fields: (t) => ({
    apiKey: t.field({ type: ApiKey, resolve: (created) => created.apiKey }),
    secret: t.exposeString("secret", { description: "The full key. It is shown this once and never stored." }),
  }),
});

const AuthPayload = builder.objectRef<TokenPair>("AuthPayload").implement({
  fields: (t) => ({
    accessToken: t.exposeString("accessToken"),
    refreshToken: t.exposeString("refreshToken"),
    tokenType: t.string({ resolve: () => "Bearer" }),
    expiresIn: t.exposeInt("expiresIn", { description: "Seconds until the access token expires." }),
  }),
});

const Viewer = builder.objectRef<Principal>("Viewer").implement({
  fields: (t) => ({
    kind: t.field({ type: PrincipalKind, resolve: (principal) => principal.kind }),
    scopes: t.field({ type: [ScopeEnum], resolve: (principal) => principal.scopes }),
    user: t.field({
      type: User,
      nullable: true,
      resolve: (principal, _args, context) =>
        principal.kind === "user" && principal.userId ? getUser(db(context), principal.orgId, principal.userId) : null,
    }),
    organization: t.field({
      type: Organization,
      resolve: async (principal, _args, context) => {
        const org = await getOrganisation(db(context), principal.orgId);
        if (!org) throw new Error("principal's organisation is missing");
        return org;
      },
    }),
    apiKeys: t.field({
      type: [ApiKey],
      authScopes: { scope: "api_keys:manage" },
      resolve: (principal, _args, context) => listApiKeys(db(context), principal.orgId),
    }),
  }),
});

builder.queryField("viewer", (t) =>
  t.field({
    type: Viewer,
    authScopes: { authenticated: true },
    resolve: (_root, _args, context) => principalOf(context),
  }),
);

const authErrors = [AuthenticationError, ValidationError, ConflictError];
const secret = (context: GraphQLContext) => context.env.JWT_SECRET;

builder.mutationFields((t) => ({
  register: t.field({
    type: AuthPayload,
    errors: { types: authErrors },
    args: {
      email: t.arg.string({ required: true }),
      password: t.arg.string({ required: true }),
      organizationName: t.arg.string({ required: true }),
      firstName: t.arg.string(),
      lastName: t.arg.string(),
    },
    resolve: (_root, args, context) => register(db(context), secret(context), withoutNulls(args)),
  }),
  login: t.field({
    type: AuthPayload,
    errors: { types: authErrors },
    args: { email: t.arg.string({ required: true }), password: t.arg.string({ required: true }) },
    resolve: (_root, args, context) => login(db(context), secret(context), args),
  }),
  refresh: t.field({
    type: AuthPayload,
    errors: { types: authErrors },
    args: { refreshToken: t.arg.string({ required: true }) },
    resolve: (_root, args, context) => rotateRefreshToken(db(context), secret(context), args.refreshToken),
  }),
  logout: t.boolean({
    authScopes: { authenticated: true },
    errors: { types: authErrors },
    resolve: async (_root, _args, context) => {
      await logout(db(context), principalOf(context));
      return true;
    },
  }),
  createApiKey: t.field({
    type: CreatedApiKey,
    authScopes: { scope: "api_keys:manage" },
    errors: { types: writeErrors },
    args: {
      name: t.arg.string({ required: true }),
      scopes: t.arg({ type: [ScopeEnum] }),
      expiresInDays: t.arg.int(),
    },
    resolve: (_root, args, context) => createApiKey(db(context), principalOf(context), withoutNulls(args)),
  }),
  revokeApiKey: t.field({
    type: ApiKey,
    authScopes: { scope: "api_keys:manage" },
    errors: { types: writeErrors },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, context) => revokeApiKey(db(context), principalOf(context).orgId, String(args.id)),
  }),
}));
