import { randomUUID } from "node:crypto";
import {
  type AgentTurnRequest,
  type AgentTurnResponse,
  agentTurnStreamLine,
  inboundCallResponse,
  type ReportedCallStatus,
  type TurnInput,
} from "@switchboard/schema/internal/calls";
import { type EdgeClient, EdgeRejectedError, TurnStreamBrokenError } from "../edge/client.js";
import type { CallRegistry, CallTag, HookPayload, LiveCall } from "./registry.js";
import type { CallReporter } from "./reporter.js";
import { StreamedReply } from "./streamed-reply.js";
import {
  amdWaitVerbs,
  type HookUrls,
  notInServiceVerbs,
  partialReplyVerbs,
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
  /** How long complete sentences wait for the rest of a streamed reply before they are spoken alone. */
  streamGraceMs?: number;
  /** Before a turn the edge refused as concurrent (409) is asked again. */
  conflictRetryMs?: number;
};

const DEFAULT_STREAM_GRACE_MS = 120;
const DEFAULT_CONFLICT_RETRY_MS = 250;

/** A turn of a live call: its idempotency key, its streamed reply, when the contact's input arrived. */
type TurnInFlight = { reply: StreamedReply; receivedAt: number | null; firstSpokenAt: number | null };

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
  /** The reply each live call is still speaking (a redirect to the continue hook comes back for the rest). */
  private readonly inFlight = new WeakMap<LiveCall, TurnInFlight>();
  /** Per live call: a nonce (a restarted process must not reuse keys) and the number of turns asked. */
  private readonly turnKeys = new WeakMap<LiveCall, { nonce: string; asked: number }>();

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

  /** partialResultHook: what the contact has said so far, for live subscribers; jambonz ignores the answer. */
  partial(payload: HookPayload): void {
    const call = this.deps.registry.resolve(payload);
    const transcript = partialTranscriptOf(payload);
    if (call && transcript) this.deps.reporter.partial(call, transcript);
  }

  /**
   * The continue hook (a `redirect` after the first sentences of a streamed reply were spoken): the next
   * sentences ready, or the rest of the reply and what the agent decided once it is complete.
   */
  async continue(payload: HookPayload): Promise<Verbs> {
    const call = this.deps.registry.resolve(payload);
    if (!call) return unavailableVerbs();
    const turn = this.inFlight.get(call);
    if (!turn) return call.lastReply ?? unavailableVerbs();
    return this.nextPart(call, turn);
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
    const turn = this.askAgent(call, { kind: "voicemail" }, null);
    const part = await turn.reply.whole();
    if (part.kind !== "complete") return unavailableVerbs();
    // Whatever the agent's action, a machine gets the message and the line is closed.
    return this.speak(call, turn, { ...part.reply, action: "hangup" }, part.reply.say);
  }

  /** Asks the agent and answers what can be said first: the whole reply, or its first sentences. */
  private async agentTurn(call: LiveCall, input: TurnInput, receivedAt: number | null): Promise<Verbs> {
    const turn = this.askAgent(call, input, receivedAt);
    this.inFlight.set(call, turn);
    return this.nextPart(call, turn);
  }

  private async nextPart(call: LiveCall, turn: TurnInFlight): Promise<Verbs> {
    const continueUrl = this.deps.urls.continue;
    // Without a continue hook to come back to, the reply is answered whole.
    const part = continueUrl
      ? await turn.reply.next(this.deps.streamGraceMs ?? DEFAULT_STREAM_GRACE_MS)
      : await turn.reply.whole();
    if (part.kind === "sentences") {
      turn.firstSpokenAt ??= this.now();
      call.lastReply = partialReplyVerbs(part.text, part.speech, continueUrl as string);
      return call.lastReply;
    }
    if (this.inFlight.get(call) === turn) this.inFlight.delete(call);
    if (part.kind === "failed") {
      call.lastReply = unavailableVerbs();
      return call.lastReply;
    }
    return this.speak(call, turn, part.reply, part.rest);
  }

  /** Reports the agent's whole reply as its turn, and answers the verbs for what remains to say of it. */
  private speak(call: LiveCall, turn: TurnInFlight, reply: AgentTurnResponse, rest: string | null): Verbs {
    if (reply.say) {
      const spokenAt = turn.firstSpokenAt ?? this.now();
      this.deps.reporter.turn(call, {
        speaker: "agent",
        text: reply.say,
        intent: reply.intent,
        latency_ms: turn.receivedAt === null ? null : Math.max(0, Math.round(spokenAt - turn.receivedAt)),
      });
    }
    call.lastReply = replyVerbs({ ...reply, say: rest }, this.deps.urls);
    return call.lastReply;
  }

  /** Starts the turn request; the reply fills as the edge streams it. */
  private askAgent(call: LiveCall, input: TurnInput, receivedAt: number | null): TurnInFlight {
    const turn: TurnInFlight = { reply: new StreamedReply(), receivedAt, firstSpokenAt: null };
    const request: AgentTurnRequest = { attempt: call.tag.attempt, input, idempotency_key: this.nextTurnKey(call) };
    void this.streamAnswer(call, request, turn.reply).then(
      (reply) => turn.reply.finish(reply),
      (error) => {
        this.log(`call ${call.tag.call_id}: no agent turn (${String(error)})`);
        turn.reply.finish(null);
      },
    );
    return turn;
  }

  /**
   * The turn's answer, its text pushed as it streams. Asked once more with the same key when the edge saw a
   * concurrent turn (409) or the stream broke off: the edge answers the stored reply if this turn was saved,
   * else runs it on the state as it is now.
   */
  private async streamAnswer(
    call: LiveCall,
    request: AgentTurnRequest,
    reply: StreamedReply,
  ): Promise<AgentTurnResponse> {
    const path = `/internal/v1/calls/${call.tag.call_id}/turn`;
    for (let asked = 1; ; asked++) {
      try {
        return await this.readAnswer(await this.deps.edge.streamTurn(path, request), reply);
      } catch (error) {
        if (asked >= 2 || !worthAskingAgain(error)) throw error;
        this.log(`call ${call.tag.call_id}: asking the turn again (${String(error)})`);
        reply.restart();
        await new Promise((resolve) => setTimeout(resolve, this.deps.conflictRetryMs ?? DEFAULT_CONFLICT_RETRY_MS));
      }
    }
  }

  private async readAnswer(lines: AsyncIterable<string>, reply: StreamedReply): Promise<AgentTurnResponse> {
    for await (const raw of lines) {
      const parsed = JSON.parse(raw) as Record<string, unknown>;
      // A plain JSON answer (an edge that does not stream) is the reply itself.
      const line = agentTurnStreamLine.parse("type" in parsed ? parsed : { ...parsed, type: "reply" });
      if (line.type === "speech") reply.setSpeech(line.speech);
      else if (line.type === "delta") reply.push(line.text);
      else if (line.type === "error") {
        if (line.status === 409) throw new TurnConflictError(line.message);
        throw new Error(`turn answered ${line.status} ${line.code}: ${line.message}`);
      } else {
        const { type: _type, ...whole } = line;
        return whole;
      }
    }
    throw new TurnStreamBrokenError("the turn's answer ended without a reply");
  }

  private nextTurnKey(call: LiveCall): string {
    let keys = this.turnKeys.get(call);
    if (!keys) {
      keys = { nonce: randomUUID().slice(0, 8), asked: 0 };
      this.turnKeys.set(call, keys);
    }
    keys.asked += 1;
    return `${call.tag.call_id}:${call.tag.attempt}:turn:${keys.asked}:${keys.nonce}`;
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

/** The edge saw another turn of the call saved while this one ran. */
class TurnConflictError extends Error {}

/** Worth asking the same turn once more: a concurrent turn won (409), or the answer broke off. */
function worthAskingAgain(error: unknown): boolean {
  if (error instanceof EdgeRejectedError) return error.status === 409;
  return error instanceof TurnConflictError || error instanceof TurnStreamBrokenError;
}

function partialTranscriptOf(payload: HookPayload): string | null {
  const speech = payload.speech as { alternatives?: Array<{ transcript?: unknown }> } | undefined;
  const transcript = speech?.alternatives?.[0]?.transcript;
  return typeof transcript === "string" && transcript.trim() ? transcript.trim() : null;
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
