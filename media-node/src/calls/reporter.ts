import { type CallEvent, callEvent, type ReportedCallStatus } from "@switchboard/schema/internal/calls";
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

/** Turns what happened on a call into CallEvents and hands them to the outbox (which never loses them). */
export class CallReporter {
  constructor(
    private readonly outbox: Outbox,
    private readonly now: () => Date = () => new Date(),
  ) {}

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
