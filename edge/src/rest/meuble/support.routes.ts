import type { Hono } from "hono";
import { z } from "zod";
import type { AppBindings } from "../../http/app-types.js";
import { guardDatabase, guardStorage } from "../../ops/upstreams.js";
import { searchProductsPage } from "../../support/products.js";
import { createTicket, getTicket, type Ticket } from "../../support/tickets.js";
import { openUpload, storeUpload, type Upload } from "../../support/uploads.js";
import { caller, mountBase } from "./auth.js";
import { isoSeconds } from "./auth.routes.js";
import { fileField, formBody, jsonBody, parse, textField } from "./request.js";

const TicketBody = z.object({
  customer_id: z.string().max(100).optional(),
  product_sku: z.string().max(100).optional(),
  problem_category: z.string().max(100),
  problem_severity: z.string().max(40),
  description: z.string().max(5000),
  attachments: z.array(z.string().max(100)).max(20).optional(),
  /** Optional inputs of the priority score (LEGACY-NOTES: product age, warranty, customer tier). */
  product_age_months: z.number().int().min(0).optional(),
  under_warranty: z.boolean().optional(),
  customer_tier: z.enum(["standard", "premium", "vip"]).optional(),
});

const ProductQuery = z.object({
  query: z.string().max(200).optional(),
  category: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(10),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});

/** The document's priority words for the legacy P0–P3. */
const PRIORITY_WORDS = { P0: "critical", P1: "high", P2: "medium", P3: "low" } as const;

function ticketSummary(ticket: Ticket) {
  return {
    ticket_id: ticket.code,
    status: ticket.status,
    priority: PRIORITY_WORDS[ticket.priority],
    created_at: isoSeconds(ticket.createdAt),
    sla_response_deadline: isoSeconds(ticket.slaResponseDeadline),
  };
}

function ticketDetail(ticket: Ticket) {
  return {
    ...ticketSummary(ticket),
    priority_level: ticket.priority,
    priority_score: ticket.priorityScore,
    sla_intervention_deadline: isoSeconds(ticket.slaInterventionDeadline),
    customer_id: ticket.customerRef,
    product_sku: ticket.productSku,
    problem_category: ticket.category,
    problem_severity: ticket.severity,
    description: ticket.description,
    attachments: ticket.attachmentCodes,
    updated_at: isoSeconds(ticket.updatedAt),
    resolved_at: ticket.resolvedAt ? isoSeconds(ticket.resolvedAt) : null,
  };
}

function uploadBody(base: string, upload: Upload) {
  return {
    success: true,
    file_url: `${base}/api/uploads/${upload.code}`,
    file_id: upload.code,
    file_type: upload.contentType,
    size_bytes: upload.sizeBytes,
  };
}

export function registerMeubleSupportRoutes(app: Hono<AppBindings>): void {
  app.post("/api/upload", async (c) => {
    const principal = caller(c);
    const form = await formBody(c);
    const file = await fileField(form, "file");
    const upload = await guardStorage(() =>
      storeUpload(c.var.database.db, c.var.env.UPLOADS, principal.orgId, {
        ...file,
        description: textField(form, "description"),
        uploadedByUserId: principal.userId,
      }),
    );
    return c.json(uploadBody(mountBase(c), upload), 200);
  });

  // The stable file_url: the file itself, to callers of the organisation that uploaded it.
  app.get("/api/uploads/:fileId", async (c) => {
    const principal = caller(c);
    const { upload, object } = await guardStorage(() =>
      openUpload(c.var.database.db, c.var.env.UPLOADS, principal.orgId, c.req.param("fileId")),
    );
    return new Response(object.body as unknown as ReadableStream, {
      headers: {
        "content-type": upload.contentType,
        "content-length": String(upload.sizeBytes),
        "cache-control": "private, max-age=3600",
        "x-content-type-options": "nosniff",
      },
    });
  });

  app.post("/api/tickets", async (c) => {
    const principal = caller(c);
    const body = await jsonBody(c, TicketBody);
    const ticket = await guardDatabase(() =>
      createTicket(c.var.database.db, principal.orgId, {
        category: body.problem_category,
        severity: body.problem_severity,
        description: body.description,
        productSku: body.product_sku,
        customerRef: body.customer_id,
        attachmentCodes: body.attachments,
        createdByUserId: principal.userId ?? undefined,
        productAgeMonths: body.product_age_months,
        underWarranty: body.under_warranty,
        customerTier: body.customer_tier,
      }),
    );
    return c.json({ success: true, ticket: ticketSummary(ticket) }, 201);
  });

  app.get("/api/tickets/:ticketId", async (c) => {
    const principal = caller(c);
    const ticket = await guardDatabase(() => getTicket(c.var.database.db, principal.orgId, c.req.param("ticketId")));
    return c.json({ success: true, ticket: ticketDetail(ticket) }, 200);
  });

  app.get("/api/products", async (c) => {
    const principal = caller(c);
    const query = parse(ProductQuery, c.req.query(), "Invalid query parameters");
    const result = await guardDatabase(() =>
      searchProductsPage(c.var.database.db, principal.orgId, {
        query: query.query,
        category: query.category,
        limit: query.limit,
        page: query.page,
      }),
    );
    return c.json(
      {
        success: true,
        products: result.products.map((product) => ({
          sku: product.sku,
          name: product.name,
          category: product.category,
          price: product.price,
          in_stock: product.inStock,
          images: product.images,
        })),
        total: result.total,
        page: result.page,
        limit: result.limit,
      },
      200,
    );
  });
}
