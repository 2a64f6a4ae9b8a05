import { z } from "zod";

/**
 * What the media node attaches to each call (jambonz `tag`): jambonz hands it back on every hook as
 * `customerData` (feature-server CallInfo; its snake-casing of payload keys exempts `customerData`).
 */
export const callTag = z.object({
  call_id: z.uuid(),
  org_id: z.uuid(),
  attempt: z.number().int().min(1),
  /** Set when the edge asked for answering-machine detection on this dial. */
  amd: z.boolean().optional(),
});
export type CallTag = z.infer<typeof callTag>;

export type AmdVerdict = "human" | "machine" | "unknown";

/** The in-memory state of one live dial; everything durable lives at the edge. */
export type LiveCall = {
  tag: CallTag;
  jambonzCallSid: string | null;
  /** Next transcript sequence; sequences must be unique per call across its attempts. */
  nextSequence: number;
  amdVerdict: AmdVerdict | null;
  /** The machine's greeting ended and the voicemail message has been asked for. */
  voicemailStarted: boolean;
  conversationStarted: boolean;
  /** The call hook has been answered: until then its answer would replace whatever an AMD hook starts. */
  callHookAnswered: boolean;
  /** The verbs of the latest agent reply, to answer again when a hook overtakes another (AMD vs call hook). */
  lastReply: Record<string, unknown>[] | null;
  /** When this node first heard of the dial: a call never ended is forgotten CALL_MEMORY_MS later. */
  rememberedAt: number;
};

/** Room for this many turns per attempt before sequences of two attempts could meet. */
const SEQUENCES_PER_ATTEMPT = 1_000;

/**
 * A call whose final status never came (a lost hook) is dropped after this long, so memory stays bounded.
 * Longer than any call; a later hook about it still finds it by its tag.
 */
export const CALL_MEMORY_MS = 2 * 60 * 60 * 1000;
/** At most this often remember() looks for calls to drop. */
const SWEEP_INTERVAL_MS = 60 * 1000;
/**
 * A dial this node did not place itself (it restarted mid-call) numbers its turns from here within its
 * attempt's range, so they cannot reuse the sequences (and idempotency keys) the earlier process used.
 */
const RESUMED_SEQUENCE_OFFSET = SEQUENCES_PER_ATTEMPT / 2;

/** Live calls by jambonz call sid (hooks) and by our call id. Forgotten when the call ends. */
export class CallRegistry {
  private readonly bySid = new Map<string, LiveCall>();
  private readonly byId = new Map<string, LiveCall>();
  private readonly now: () => number;
  private readonly memoryMs: number;
  private lastSweep = 0;

  constructor(options: { now?: () => number; memoryMs?: number } = {}) {
    this.now = options.now ?? Date.now;
    this.memoryMs = options.memoryMs ?? CALL_MEMORY_MS;
  }

  /** The call a hook is about: by jambonz call sid, else by the tag in the payload (one dial per attempt). */
  resolve(payload: HookPayload): LiveCall | null {
    const sid = typeof payload.call_sid === "string" ? payload.call_sid : null;
    const known = sid ? this.bySid.get(sid) : undefined;
    if (known) return known;
    const tag = tagOf(payload);
    return tag ? this.remember(tag, sid) : null;
  }

  /** `resumed`: the dial was placed by an earlier process (recovered after a restart). */
  remember(tag: CallTag, jambonzCallSid: string | null, options: { resumed?: boolean } = {}): LiveCall {
    this.sweep();
    const existing = this.byId.get(tag.call_id);
    if (existing && existing.tag.attempt === tag.attempt) {
      if (jambonzCallSid && !existing.jambonzCallSid) this.link(existing, jambonzCallSid);
      return existing;
    }
    // Each attempt is its own dial; a late hook of an older attempt must not displace the current one.
    const call: LiveCall = {
      tag,
      jambonzCallSid,
      nextSequence: (tag.attempt - 1) * SEQUENCES_PER_ATTEMPT + (options.resumed ? RESUMED_SEQUENCE_OFFSET : 0),
      amdVerdict: null,
      voicemailStarted: false,
      conversationStarted: false,
      callHookAnswered: false,
      lastReply: null,
      rememberedAt: this.now(),
    };
    if (!existing || existing.tag.attempt < tag.attempt) this.byId.set(tag.call_id, call);
    if (jambonzCallSid) this.bySid.set(jambonzCallSid, call);
    return call;
  }

  forget(call: LiveCall): void {
    if (this.byId.get(call.tag.call_id) === call) this.byId.delete(call.tag.call_id);
    if (call.jambonzCallSid) this.bySid.delete(call.jambonzCallSid);
  }

  get size(): number {
    return this.byId.size;
  }

  isLive(callId: string): boolean {
    return this.byId.has(callId);
  }

  /** Drops calls remembered longer ago than the bound (their final status was lost). */
  sweep(options: { force?: boolean } = {}): number {
    const now = this.now();
    if (!options.force && now - this.lastSweep < SWEEP_INTERVAL_MS) return 0;
    this.lastSweep = now;
    let dropped = 0;
    for (const call of new Set([...this.byId.values(), ...this.bySid.values()])) {
      if (now - call.rememberedAt <= this.memoryMs) continue;
      this.forget(call);
      dropped++;
    }
    return dropped;
  }

  private link(call: LiveCall, sid: string): void {
    call.jambonzCallSid = sid;
    this.bySid.set(sid, call);
  }
}

/** A jambonz hook body (see @jambonz/schema callbacks/base.schema.json); fields are checked where used. */
export type HookPayload = Record<string, unknown>;

/** The tag jambonz echoes back (`customerData`; `customer_data`/`tag` accepted from other transports). */
export function tagOf(payload: HookPayload): CallTag | null {
  for (const candidate of [payload.customerData, payload.customer_data, payload.tag]) {
    const parsed = callTag.safeParse(candidate);
    if (parsed.success) return parsed.data;
  }
  return null;
}
