import {
  type AgentTurnResponse,
  agentTurnResponse,
  inboundCallResponse,
  type ReportedCallStatus,
  type TurnInput,
} from "@switchboard/schema/internal/calls";
import type { EdgeClient } from "../edge/client.js";
import type { CallRegistry, CallTag, HookPayload, LiveCall } from "./registry.js";
import type { CallReporter } from "./reporter.js";
import {
  amdWaitVerbs,
  type HookUrls,
  notInServiceVerbs,
  recordingVerbs,
  replyVerbs,
  tagVerbs,
  unavailableVerbs,
  type Verbs,
} from "./verbs.js";

export type ConversationDeps = {
  edge: EdgeClient;
  reporter: CallReporter;
  registry: CallRegistry;
  urls: HookUrls;
  now?: () => number;
  log?: (message: string) => void;
  /** Told every line state reported (the dial book keeps the last one for recovery after a restart). */
  onStatus?: (call: LiveCall, status: ReportedCallStatus, final: boolean) => void;
};

/** jambonz call_status → the line state the edge knows (`queued` says nothing new). */
const STATUS_MAP: Record<string, ReportedCallStatus> = {
  trying: "calling",
  ringing: "ringing",
  "early-media": "ringing",
  "in-progress": "in_progress",
  completed: "completed",
  failed: "failed",
  busy: "busy",
  "no-answer": "no_answer",
};
const FINAL_STATUSES = new Set<ReportedCallStatus>(["completed", "failed", "busy", "no_answer"]);

/**
 * The conversation of one call, independent of the transport: each method takes a jambonz hook payload
 * and answers the verbs to run next (the webhook routes return them; a WebSocket session would send them).
 */
export class Conversation {
  private readonly now: () => number;
  private readonly log: (message: string) => void;

  constructor(private readonly deps: ConversationDeps) {
    this.now = deps.now ?? Date.now;
    this.log = deps.log ?? ((message) => console.warn(`media-node: ${message}`));
  }

  /** call_status_hook: report the line state; nothing to answer. */
  status(payload: HookPayload): void {
    const call = this.deps.registry.resolve(payload);
    const status = STATUS_MAP[String(payload.call_status)];
    if (!call || !status) return;
    const durationSeconds = typeof payload.duration === "number" ? payload.duration : null;
    this.deps.reporter.status(call, status, {
      sip_status: typeof payload.sip_status === "number" ? Math.trunc(payload.sip_status) : null,
      hangup_cause: FINAL_STATUSES.has(status) ? hangupCause(payload) : null,
      duration_ms: status === "completed" && durationSeconds !== null ? Math.round(durationSeconds * 1000) : null,
    });
    this.deps.onStatus?.(call, status, FINAL_STATUSES.has(status));
    if (FINAL_STATUSES.has(status)) this.deps.registry.forget(call);
  }

  /** call_hook: the call was answered (outbound) or has arrived (inbound). */
  async answer(payload: HookPayload, options: { afterAmdWait?: boolean } = {}): Promise<Verbs> {
    let call = this.deps.registry.resolve(payload);
    const prefix: Verbs = [];
    if (!call) {
      const inbound = await this.acceptInbound(payload);
      if (inbound === "not-found") return notInServiceVerbs();
      if (inbound === "unavailable") return unavailableVerbs();
      call = inbound;
      prefix.push(...tagVerbs(call.tag));
    }
    call.callHookAnswered = true;
    if (options.afterAmdWait) {
      // The wait ran out without the AMD hook replacing it: voicemail if a machine was heard, else talk.
      if (call.amdVerdict === "machine" && !call.voicemailStarted) return this.voicemail(call);
      // The agent's first reply may still be on its way (a slow edge): keep waiting; it replaces the pause.
      if (call.conversationStarted || call.voicemailStarted) return call.lastReply ?? amdWaitVerbs(this.deps.urls);
      return this.startConversation(call);
    }
    prefix.push(...recordingVerbs(this.deps.urls, call.tag));
    // The AMD hook can overtake the call hook; this answer replaces its verbs, so it repeats them.
    if (call.conversationStarted || call.voicemailStarted) return [...prefix, ...(call.lastReply ?? [])];
    if (call.tag.amd && call.amdVerdict === null) return [...prefix, ...amdWaitVerbs(this.deps.urls)];
    if (call.amdVerdict === "machine") return [...prefix, ...(await this.voicemail(call))];
    return [...prefix, ...(await this.startConversation(call))];
  }

  /** gather actionHook: what the contact said or pressed, or that they said nothing. */
  async gather(payload: HookPayload): Promise<Verbs> {
    const call = this.deps.registry.resolve(payload);
    if (!call) return unavailableVerbs();
    const receivedAt = this.now();
    const input = inputOf(payload);
    if (input.kind === "speech") {
      this.deps.reporter.turn(call, { speaker: "contact", text: input.transcript, confidence: input.confidence });
    } else if (input.kind === "dtmf") {
      this.deps.reporter.turn(call, { speaker: "contact", text: `DTMF ${input.digits}` });
    }
    return this.agentTurn(call, input, input.kind === "silence" ? null : receivedAt);
  }

  /** AMD actionHook: a verdict, or the end of the machine's greeting. `[]` leaves the running verbs alone. */
  async amd(payload: HookPayload): Promise<Verbs> {
    const call = this.deps.registry.resolve(payload);
    if (!call) return [];
    const type = String(payload.type);
    const verdict = verdictOf(type);
    if (verdict && call.amdVerdict === null) {
      call.amdVerdict = verdict;
      this.deps.reporter.amd(call, verdict);
      // A person (or nobody we could classify) answered: greet now, unless the call hook is still to be
      // answered, which would replace the greeting; it reads the verdict and greets itself. A machine: wait.
      if (verdict !== "machine" && call.callHookAnswered) return this.startConversation(call);
      return [];
    }
    const greetingEnded =
      type === "amd_machine_stopped_speaking" || type === "amd_tone_detected" || type === "amd_tone_timeout";
    if (greetingEnded && call.amdVerdict === "machine" && !call.voicemailStarted) return this.voicemail(call);
    return [];
  }

  private async startConversation(call: LiveCall): Promise<Verbs> {
    if (call.conversationStarted) return [];
    call.conversationStarted = true;
    return this.agentTurn(call, { kind: "start" }, null);
  }

  private async voicemail(call: LiveCall): Promise<Verbs> {
    call.voicemailStarted = true;
    const reply = await this.askAgent(call, { kind: "voicemail" });
    if (!reply) return unavailableVerbs();
    // Whatever the agent's action, a machine gets the message and the line is closed.
    return this.speak(call, { ...reply, action: "hangup" }, null);
  }

  private async agentTurn(call: LiveCall, input: TurnInput, receivedAt: number | null): Promise<Verbs> {
    const reply = await this.askAgent(call, input);
    if (!reply) return unavailableVerbs();
    return this.speak(call, reply, receivedAt);
  }

  private speak(call: LiveCall, reply: AgentTurnResponse, receivedAt: number | null): Verbs {
    if (reply.say) {
      this.deps.reporter.turn(call, {
        speaker: "agent",
        text: reply.say,
        intent: reply.intent,
        latency_ms: receivedAt === null ? null : Math.max(0, Math.round(this.now() - receivedAt)),
      });
    }
    call.lastReply = replyVerbs(reply, this.deps.urls);
    return call.lastReply;
  }

  private async askAgent(call: LiveCall, input: TurnInput): Promise<AgentTurnResponse | null> {
    try {
      const answer = await this.deps.edge.postJson(`/internal/v1/calls/${call.tag.call_id}/turn`, {
        attempt: call.tag.attempt,
        input,
      });
      if (answer.status !== 200) throw new Error(`turn answered ${answer.status}`);
      return agentTurnResponse.parse(JSON.parse(answer.body));
    } catch (error) {
      this.log(`call ${call.tag.call_id}: no agent turn (${String(error)})`);
      return null;
    }
  }

  private async acceptInbound(payload: HookPayload): Promise<LiveCall | "not-found" | "unavailable"> {
    const sid = typeof payload.call_sid === "string" ? payload.call_sid : "";
    const request = { to: String(payload.to ?? ""), from: String(payload.from ?? ""), jambonz_call_sid: sid };
    if (!sid || !request.to || !request.from) return "not-found";
    try {
      const answer = await this.deps.edge.postJson("/internal/v1/inbound-calls", request);
      if (answer.status === 404) return "not-found";
      const owner = inboundCallResponse.parse(JSON.parse(answer.body));
      const tag: CallTag = { call_id: owner.call_id, org_id: owner.org_id, attempt: 1 };
      return this.deps.registry.remember(tag, sid);
    } catch (error) {
      this.log(`inbound call ${sid}: the edge did not take it (${String(error)})`);
      return "unavailable";
    }
  }
}

function verdictOf(type: string): "human" | "machine" | "unknown" | null {
  if (type === "amd_human_detected") return "human";
  if (type === "amd_machine_detected") return "machine";
  if (type === "amd_no_speech_detected" || type === "amd_decision_timeout") return "unknown";
  return null;
}

function inputOf(payload: HookPayload): TurnInput {
  const reason = String(payload.reason);
  if (reason === "speechDetected") {
    const speech = payload.speech as
      | { alternatives?: Array<{ transcript?: unknown; confidence?: unknown }> }
      | undefined;
    const best = speech?.alternatives?.[0];
    const transcript = typeof best?.transcript === "string" ? best.transcript.trim().slice(0, 5_000) : "";
    const confidence = typeof best?.confidence === "number" ? Math.min(1, Math.max(0, best.confidence)) : null;
    if (transcript) return { kind: "speech", transcript, confidence };
  }
  if (reason === "dtmfDetected" && typeof payload.digits === "string" && /^[0-9*#A-D]{1,32}$/.test(payload.digits)) {
    return { kind: "dtmf", digits: payload.digits };
  }
  // Timeouts, recogniser errors and empty transcripts all count as silence: the agent re-prompts.
  return { kind: "silence" };
}

/** The most telling reason jambonz gives for the end of a call. */
function hangupCause(payload: HookPayload): string | null {
  for (const field of ["sip_reason_header", "sip_reason", "call_termination_by"]) {
    const value = payload[field];
    if (typeof value === "string" && value.trim()) return value.trim().slice(0, 200);
  }
  return null;
}
