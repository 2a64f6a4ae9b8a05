import { z } from "zod";
import { withoutNulls } from "../graphql/args.js";
import { builder } from "../graphql/builder.js";
import { db, orgOf, principalOf } from "../graphql/context.js";
import { writeErrors } from "../graphql/errors.js";
import { textConnection } from "../graphql/pagination.js";
import { deleteProduct, MAX_PRODUCT_LIMIT, type Product, saveProduct, searchProductsPage } from "./products.js";
import { createTicket, getTicket, listTickets, type Ticket, updateTicketStatus } from "./tickets.js";

const TicketStatus = builder.enumType("TicketStatus", {
  values: ["open", "in_progress", "waiting_customer", "resolved", "closed"] as const,
});
const TicketPriority = builder.enumType("TicketPriority", {
  values: ["P0", "P1", "P2", "P3"] as const,
  description: "P0 answers within 4 h, P1 24 h, P2 120 h, P3 168 h.",
});
const CustomerTier = builder.enumType("CustomerTier", { values: ["standard", "premium", "vip"] as const });

const TicketRef = builder.objectRef<Ticket>("Ticket").implement({
  description: "An after-sales (SAV) ticket, numbered TKT-YYYY-NNNNNN per organisation and year.",
  fields: (t) => ({
    code: t.exposeString("code"),
    status: t.field({ type: TicketStatus, resolve: (ticket) => ticket.status }),
    priority: t.field({ type: TicketPriority, resolve: (ticket) => ticket.priority }),
    priorityScore: t.exposeInt("priorityScore"),
    category: t.exposeString("category"),
    severity: t.exposeString("severity"),
    description: t.exposeString("description"),
    productSku: t.exposeString("productSku", { nullable: true }),
    customerRef: t.exposeString("customerRef", { nullable: true }),
    attachmentCodes: t.exposeStringList("attachmentCodes"),
    slaResponseDeadline: t.expose("slaResponseDeadline", { type: "DateTime" }),
    slaInterventionDeadline: t.expose("slaInterventionDeadline", { type: "DateTime" }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    resolvedAt: t.expose("resolvedAt", { type: "DateTime", nullable: true }),
  }),
});

const ProductRef = builder.objectRef<Product>("Product").implement({
  fields: (t) => ({
    sku: t.exposeString("sku"),
    name: t.exposeString("name"),
    category: t.exposeString("category", { nullable: true }),
    description: t.exposeString("description", { nullable: true }),
    price: t.exposeFloat("price"),
    currency: t.exposeString("currency"),
    inStock: t.exposeBoolean("inStock"),
    images: t.exposeStringList("images"),
  }),
});

type ProductPage = { products: Product[]; total: number; page: number; limit: number };
const ProductSearchResult = builder.objectRef<ProductPage>("ProductSearchResult").implement({
  fields: (t) => ({
    products: t.field({ type: [ProductRef], resolve: (result) => result.products }),
    total: t.exposeInt("total", { description: "Every match, beyond this page." }),
    page: t.exposeInt("page"),
    limit: t.exposeInt("limit"),
  }),
});

const CreateTicketInput = builder.inputType("CreateTicketInput", {
  fields: (t) => ({
    category: t.string({ required: true, description: "e.g. défaut_fabrication, livraison, tissu, mécanisme" }),
    severity: t.string({ required: true, description: "faible/moyen/élevé/critique or low/medium/high/critical" }),
    description: t.string({ required: true }),
    productSku: t.string(),
    customerRef: t.string(),
    attachmentCodes: t.stringList({ description: "Codes (upload_…) of the caller's own uploads" }),
    productAgeMonths: t.int(),
    underWarranty: t.boolean(),
    customerTier: t.field({ type: CustomerTier }),
  }),
});

builder.queryFields((t) => ({
  ticket: t.field({
    type: TicketRef,
    nullable: true,
    authScopes: { authenticated: true },
    args: { code: t.arg.string({ required: true }) },
    resolve: (_root, { code }, context) =>
      getTicket(db(context), orgOf(context), code).catch((error: unknown) => {
        if (error instanceof Error && error.name === "NotFoundError") return null;
        throw error;
      }),
  }),
  tickets: t.connection({
    type: TicketRef,
    authScopes: { authenticated: true },
    args: { status: t.arg({ type: TicketStatus }) },
    resolve: (_root, args, context) =>
      textConnection(
        args,
        (ticket: Ticket) => ticket.code,
        (page) => listTickets(db(context), orgOf(context), page, args.status ?? undefined),
      ),
  }),
  searchProducts: t.field({
    type: ProductSearchResult,
    description: "French full-text search of the organisation's catalogue (accent- and case-insensitive).",
    authScopes: { authenticated: true },
    args: {
      query: t.arg.string(),
      category: t.arg.string(),
      limit: t.arg.int({ defaultValue: 10, validate: z.number().int().min(1).max(MAX_PRODUCT_LIMIT).nullish() }),
      page: t.arg.int({ defaultValue: 1, validate: z.number().int().min(1).max(10_000).nullish() }),
    },
    resolve: (_root, args, context) =>
      searchProductsPage(db(context), orgOf(context), {
        query: args.query ?? undefined,
        category: args.category ?? undefined,
        limit: args.limit ?? 10,
        page: args.page ?? 1,
      }),
  }),
}));

const ProductInput = builder.inputType("ProductInput", {
  fields: (t) => ({
    sku: t.string({ required: true }),
    name: t.string({ required: true }),
    category: t.string(),
    description: t.string(),
    price: t.float({ required: true }),
    currency: t.string({ description: "ISO 4217; EUR by default." }),
    inStock: t.boolean(),
    images: t.stringList(),
  }),
});

builder.mutationFields((t) => ({
  saveProduct: t.field({
    type: ProductRef,
    description: "Adds a product to the catalogue, or replaces the one with the same SKU.",
    authScopes: { scope: "catalog:write" },
    errors: { types: writeErrors },
    args: { input: t.arg({ type: ProductInput, required: true }) },
    resolve: (_root, { input }, context) => saveProduct(db(context), orgOf(context), withoutNulls(input)),
  }),
  deleteProduct: t.field({
    type: ProductRef,
    authScopes: { scope: "catalog:write" },
    errors: { types: writeErrors },
    args: { sku: t.arg.string({ required: true }) },
    resolve: (_root, { sku }, context) => deleteProduct(db(context), orgOf(context), sku),
  }),
  updateTicketStatus: t.field({
    type: TicketRef,
    description: "Moves a ticket along: a closed ticket is final; resolving or closing stamps resolvedAt.",
    authScopes: { authenticated: true },
    errors: { types: writeErrors },
    args: { code: t.arg.string({ required: true }), status: t.arg({ type: TicketStatus, required: true }) },
    resolve: (_root, { code, status }, context) => updateTicketStatus(db(context), orgOf(context), code, status),
  }),
  createTicket: t.field({
    type: TicketRef,
    authScopes: { authenticated: true },
    errors: { types: writeErrors },
    args: { input: t.arg({ type: CreateTicketInput, required: true }) },
    resolve: (_root, { input }, context) =>
      createTicket(db(context), orgOf(context), {
        ...withoutNulls(input),
        createdByUserId: principalOf(context).userId ?? undefined,
      }),
  }),
}));
