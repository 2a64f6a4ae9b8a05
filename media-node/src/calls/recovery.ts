import { JambonzClient } from "@jambonz/sdk/client";
import { sleep } from "../edge/client.js";
import type { DialBook, PlacedDial } from "./dials.js";
import type { CallRegistry } from "./registry.js";
import type { CallReporter } from "./reporter.js";

/** Whether jambonz still has a call on the line (its REST API forgets a call once it ended). */
export type CallLookup = (jambonzCallSid: string) => Promise<"live" | "gone">;

export function jambonzCallLookup(account: { apiUrl: string; accountSid: string; apiKey: string }): CallLookup {
  const client = new JambonzClient({ baseUrl: account.apiUrl, accountSid: account.accountSid, apiKey: account.apiKey });
  return async (sid) => {
    try {
      await client.calls.get(sid);
      return "live";
    } catch (error) {
      // The SDK throws `GET …/Calls/{sid} failed: 404 Not Found`; anything else is not an answer.
      if (/ failed: 404\b/.test(String(error))) return "gone";
      throw error;
    }
  };
}

/** Said on the final status the node reports for a dial that ended while no node was listening. */
export const ENDED_UNOBSERVED = "media node restarted: the call ended while no node was listening";
const LOOKUP_TRIES = 5;
const LOOKUP_RETRY_MS = 2_000;

export type RecoveryDeps = {
  book: DialBook;
  registry: CallRegistry;
  reporter: CallReporter;
  lookup: CallLookup;
  log: (message: string) => void;
  retryDelayMs?: number;
};

/**
 * After a restart: the dials an earlier process placed and never saw end are live calls again (their
 * hooks keep coming), until jambonz says one is gone. Its final status hook went to a dead node and
 * jambonz does not send it twice, so the node reports the end itself, or the edge would wait forever:
 * `completed` when the line had been answered, else `failed` (the edge's retry rules decide what next).
 */
export function resumeDials(dials: PlacedDial[], registry: CallRegistry): void {
  for (const dial of dials) registry.remember(dial.tag, dial.jambonzCallSid, { resumed: true });
}

export async function settleResumedDials(dials: PlacedDial[], deps: RecoveryDeps): Promise<number> {
  const ended = await Promise.all(dials.map((dial) => settleOne(dial, deps)));
  return ended.filter(Boolean).length;
}

async function settleOne(dial: PlacedDial, deps: RecoveryDeps): Promise<boolean> {
  for (let tries = 1; ; tries++) {
    try {
      if ((await deps.lookup(dial.jambonzCallSid)) === "live") return false;
      break;
    } catch (error) {
      if (tries >= LOOKUP_TRIES) {
        deps.log(`call ${dial.tag.call_id}: could not ask jambonz about ${dial.jambonzCallSid} (${String(error)})`);
        return false;
      }
      await sleep(deps.retryDelayMs ?? LOOKUP_RETRY_MS);
    }
  }
  // Its own final status may have arrived while jambonz was being asked.
  if (deps.book.get(dial.tag)?.ended) return false;
  const call = deps.registry.remember(dial.tag, dial.jambonzCallSid, { resumed: true });
  const status = dial.lastStatus === "in_progress" ? "completed" : "failed";
  deps.reporter.status(call, status, { hangup_cause: ENDED_UNOBSERVED });
  deps.book.noteStatus(dial.tag, status, true);
  deps.registry.forget(call);
  return true;
}
