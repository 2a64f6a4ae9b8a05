import {
  type CallEvent,
  callEvent,
  type PartialTranscript,
  type ReportedCallStatus,
} from "@switchboard/schema/internal/calls";
import type { EdgeClient } from "../edge/client.js";
import type { Outbox } from "../edge/outbox.js";
import type { AmdVerdict, LiveCall } from "./registry.js";

type StatusDetails = { sip_status?: number | null; hangup_cause?: string | null; duration_ms?: number | null };
type TurnDetails = {
  speaker: "agent" | "contact" | "system";
  text: string;
  intent?: string | null;
  confidence?: number | null;
  latency_ms?: number | null;
};

/** A recogniser sends interim results many times a second; live subscribers need a few. */
export const PARTIAL_TRANSCRIPT_INTERVAL_MS = 300;

/** Turns what happened on a call into CallEvents and hands them to the outbox (which never loses them). */
export class CallReporter {
  /** When each call's last partial transcript went out. */
  private readonly partialSentAt = new WeakMap<LiveCall, number>();

  constructor(
    private readonly outbox: Outbox,
    /** Sends partial transcripts, which are shown live and may be lost, so they skip the outbox. */
    private readonly edge: Pick<EdgeClient, "send">,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** What the contact has said so far, as the turn `call.nextSequence` will be; at most one per interval. */
  partial(call: LiveCall, text: string): void {
    const at = this.now();
    const last = this.partialSentAt.get(call);
    if (last !== undefined && at.getTime() - last < PARTIAL_TRANSCRIPT_INTERVAL_MS) return;
    this.partialSentAt.set(call, at.getTime());
    const partial: PartialTranscript = {
      attempt: call.tag.attempt,
      sequence: call.nextSequence,
      text: text.slice(0, 10_000),
      occurred_at: at.toISOString(),
    };
    const path = `/internal/v1/calls/${call.tag.call_id}/partial-transcripts`;
    const request = { method: "POST", path, contentType: "application/json", body: JSON.stringify(partial) } as const;
    // Best effort: the final turn, which goes through the outbox, is the record.
    void this.edge.send(request).catch(() => undefined);
  }

  status(call: LiveCall, status: ReportedCallStatus, details: StatusDetails = {}): void {
    this.send(call, { ...this.base(call, `status:${status}`), type: "status", status, ...details });
  }

  /** One verdict per dial: the first one counts. */
  amd(call: LiveCall, verdict: AmdVerdict): void {
    this.send(call, { ...this.base(call, "amd"), type: "amd", verdict });
  }

  turn(call: LiveCall, details: TurnDetails): void {
    const text = details.text.trim().slice(0, 10_000);
    if (!text) return;
    const sequence = call.nextSequence++;
    this.send(call, { ...this.base(call, `turn:${sequence}`), type: "turn", sequence, ...details, text });
  }

  private base(call: LiveCall, fact: string) {
    return {
      idempotency_key: `${call.tag.call_id}:${call.tag.attempt}:${fact}`,
      occurred_at: this.now().toISOString(),
      attempt: call.tag.attempt,
      jambonz_call_sid: call.jambonzCallSid,
    };
  }

  private send(call: LiveCall, event: CallEvent): void {
    const checked = callEvent.parse(event);
    this.outbox.enqueue({
      id: checked.idempotency_key,
      lane: call.tag.call_id,
      method: "POST",
      path: `/internal/v1/calls/${call.tag.call_id}/events`,
      batchPath: `/internal/v1/calls/${call.tag.call_id}/events/batch`,
      contentType: "application/json",
      body: JSON.stringify(checked),
    });
  }
}
