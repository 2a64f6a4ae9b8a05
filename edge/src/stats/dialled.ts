import { type CallStatus, calls } from "@switchboard/schema";
import { sql } from "drizzle-orm";
import { WAITING_STATUSES } from "../calls/status-groups.js";

/** Statuses of calls that may never have been dialled: still waiting, or cancelled before a dial. */
const UNDIALLED_STATUSES: readonly CallStatus[] = [...WAITING_STATUSES, "cancelled"];

/**
 * A call counts as placed when it has a start time, or when its status says it was dialled
 * (rows imported or written without started_at, e.g. failed before the line opened).
 */
export const wasDialled = sql`(${calls.startedAt} is not null or ${calls.status} not in (${sql.join(
  UNDIALLED_STATUSES.map((status) => sql`${status}`),
  sql`, `,
)}))`;

/** When a placed call was placed: its start, else when it was created. */
export const dialledAt = sql`coalesce(${calls.startedAt}, ${calls.createdAt})`;
