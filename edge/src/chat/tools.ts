import type { Database } from "../db/client.js";
import { searchProducts } from "../support/products.js";
import { createTicket } from "../support/tickets.js";

/**
 * The support domain's tools the chat engine calls (create a ticket, search products). The engine only declares
 * them; edge/src/support/ implements them (tickets.ts, products.ts), wired in chatTools() below. Order slots and "request a human" are the engine's own tools (orders domain).
 */

export type TicketInput = {
  category: string;
  severity: string;
  description: string;
  productSku?: string;
  customerRef?: string;
  attachmentCodes?: string[];
  conversationId?: string;
  createdByUserId?: string;
};

/** What the engine reads of a ticket. */
export type TicketSummary = { code: string; priority: string };
/** What the engine reads of a product. */
export type ProductSummary = { sku: string; name: string; price: unknown; currency?: string | null };

export interface ChatTools {
  createTicket(db: Database, orgId: string, input: TicketInput): Promise<TicketSummary>;
  searchProducts(
    db: Database,
    orgId: string,
    input: { query?: string; category?: string; limit: number },
  ): Promise<ProductSummary[]>;
}

/** A tool the running worker does not have: the engine tells the customer instead of pretending. */
export class ToolUnavailableError extends Error {
  constructor(readonly tool: keyof ChatTools) {
    super(`The ${tool} tool is not available`);
  }
}

/** The tools the worker has: the support domain's tickets and product search. */
export function chatTools(): ChatTools {
  return { createTicket, searchProducts };
}
