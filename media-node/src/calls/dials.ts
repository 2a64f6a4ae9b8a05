import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { PlaceCallRequest, ReportedCallStatus } from "@switchboard/schema/internal/calls";
import type { CallTag } from "./registry.js";

/** One dial this node placed on jambonz: what the edge asked for, and the last line state jambonz reported. */
export type PlacedDial = {
  tag: CallTag;
  jambonzCallSid: string;
  placedAt: number;
  lastStatus: ReportedCallStatus | null;
  /** A final status was reported: nothing is left to recover, only the answer to a repeated request. */
  ended: boolean;
};

type DialLine =
  | { op: "placed"; tag: CallTag; sid: string; at: number }
  | { op: "status"; key: string; status: ReportedCallStatus; ended: boolean };

/** Longer than any call; a dial older than this is forgotten, whatever happened to it. */
export const DIAL_MEMORY_MS = 2 * 60 * 60 * 1000;
/** At most this often the book drops forgotten dials and rewrites its file. */
const SWEEP_INTERVAL_MS = 60 * 1000;

export type DialBookOptions = {
  /** JSON lines file (beside the outbox); `null` keeps the book in memory only. */
  file: string | null;
  now?: () => number;
  memoryMs?: number;
};

/**
 * The dials this node placed, by (call_id, attempt). The edge re-sends a PlaceCallRequest when its answer
 * was lost or late; the book answers it with the same jambonz call sid instead of dialling again. It is
 * written to a file before the 202 leaves, so a restarted node still knows its dials (jambonz's REST API
 * cannot look a call up by tag) and can find the ones that ended while it was down.
 */
export class DialBook {
  private readonly dials = new Map<string, PlacedDial>();
  private readonly placing = new Map<string, Promise<string>>();
  private readonly now: () => number;
  private readonly memoryMs: number;
  private lastSweep = 0;

  constructor(private readonly options: DialBookOptions) {
    this.now = options.now ?? Date.now;
    this.memoryMs = options.memoryMs ?? DIAL_MEMORY_MS;
  }

  /** Reads what an earlier process wrote; answers the dials that never got a final status. */
  load(): PlacedDial[] {
    const file = this.options.file;
    if (file && existsSync(file)) {
      for (const line of readFileSync(file, "utf8").split("\n")) this.apply(parseLine(line));
    }
    this.sweep(true);
    return [...this.dials.values()].filter((dial) => !dial.ended);
  }

  /** The sid of this dial: the one already placed, the one being placed, or a new one from `placeCall`. */
  async place(request: PlaceCallRequest, placeCall: (request: PlaceCallRequest) => Promise<string>): Promise<string> {
    const key = dialKey(request);
    const known = this.dials.get(key);
    if (known) return known.jambonzCallSid;
    const inFlight = this.placing.get(key);
    if (inFlight) return inFlight;
    const placing = placeCall(request).then((sid) => {
      if (typeof sid !== "string" || !sid) throw new Error("jambonz answered without a call sid");
      this.record({ op: "placed", tag: tagOf(request), sid, at: this.now() });
      return sid;
    });
    this.placing.set(key, placing);
    try {
      return await placing;
    } finally {
      this.placing.delete(key);
    }
  }

  /** Notes a line state jambonz reported for one of this node's dials (others are ignored). */
  noteStatus(tag: CallTag, status: ReportedCallStatus, final: boolean): void {
    const key = dialKey(tag);
    const dial = this.dials.get(key);
    if (!dial || dial.ended || dial.lastStatus === status) return;
    this.record({ op: "status", key, status, ended: final });
  }

  get(tag: Pick<CallTag, "call_id" | "attempt">): PlacedDial | undefined {
    return this.dials.get(dialKey(tag));
  }

  get size(): number {
    return this.dials.size;
  }

  private record(line: DialLine): void {
    const file = this.options.file;
    if (file) {
      mkdirSync(dirname(file), { recursive: true });
      appendFileSync(file, `${JSON.stringify(line)}\n`);
    }
    this.apply(line);
    this.sweep(false);
  }

  private apply(line: DialLine | null): void {
    if (line?.op === "placed") {
      this.dials.set(dialKey(line.tag), {
        tag: line.tag,
        jambonzCallSid: line.sid,
        placedAt: line.at,
        lastStatus: null,
        ended: false,
      });
    } else if (line?.op === "status") {
      const dial = this.dials.get(line.key);
      if (!dial) return;
      dial.lastStatus = line.status;
      dial.ended ||= line.ended;
    }
  }

  /** Forgets dials older than the bound and rewrites the file with what is left. */
  private sweep(force: boolean): void {
    const now = this.now();
    if (!force && now - this.lastSweep < SWEEP_INTERVAL_MS) return;
    this.lastSweep = now;
    for (const [key, dial] of this.dials) if (now - dial.placedAt > this.memoryMs) this.dials.delete(key);
    const file = this.options.file;
    if (!file) return;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, [...this.dials.entries()].map(([key, dial]) => linesOf(key, dial)).join(""));
  }
}

export function dialKey(dial: Pick<CallTag, "call_id" | "attempt">): string {
  return `${dial.call_id}:${dial.attempt}`;
}

function tagOf(request: PlaceCallRequest): CallTag {
  return { call_id: request.call_id, org_id: request.org_id, attempt: request.attempt, amd: request.amd };
}

function linesOf(key: string, dial: PlacedDial): string {
  const lines: DialLine[] = [{ op: "placed", tag: dial.tag, sid: dial.jambonzCallSid, at: dial.placedAt }];
  if (dial.lastStatus) lines.push({ op: "status", key, status: dial.lastStatus, ended: dial.ended });
  return lines.map((line) => `${JSON.stringify(line)}\n`).join("");
}

function parseLine(line: string): DialLine | null {
  if (!line.trim()) return null;
  try {
    return JSON.parse(line) as DialLine;
  } catch {
    // A torn last line after a crash: that dial's 202 never left, so the edge will ask again.
    return null;
  }
}
