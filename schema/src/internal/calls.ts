import { z } from "zod";

/**
 * The internal API between the edge and the media node (both directions are HMAC-signed with
 * INTERNAL_API_SECRET, see ../internal-signature.ts). The edge owns the data and every rule; the media
 * node owns the live call and reports what happened. These shapes are the whole contract.
 */

const uuid = z.uuid();
const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, "E.164 number");

// ── Edge → media node ────────────────────────────────────────────────────────────────────────────────

/** `POST {MEDIA_NODE_URL}/internal/v1/calls`: place one dial of one call (answered 202 with the jambonz sid). */
export const placeCallRequest = z.object({
  call_id: uuid,
  org_id: uuid,
  campaign_id: uuid.nullable(),
  /** 1 for the first dial, 2 for the first retry… Part of every idempotency key the media node derives. */
  attempt: z.number().int().min(1),
  to: e164,
  from: z.string().min(1).nullable(),
  /** Answering-machine detection: the voicemail branch runs when it says machine. */
  amd: z.boolean(),
});
export type PlaceCallRequest = z.infer<typeof placeCallRequest>;

export const placeCallResponse = z.object({ call_id: uuid, jambonz_call_sid: z.string().min(1) });
export type PlaceCallResponse = z.infer<typeof placeCallResponse>;

// ── Media node → edge: call events ───────────────────────────────────────────────────────────────────

/** Line states the media node reports; the edge maps them onto the call and its attempt. */
export const reportedCallStatus = z.enum([
  "calling",
  "ringing",
  "in_progress",
  "completed",
  "failed",
  "no_answer",
  "busy",
]);
export type ReportedCallStatus = z.infer<typeof reportedCallStatus>;

const eventBase = {
  /** Unique per fact (e.g. `${call_id}:${attempt}:status:ringing`): a replay is acknowledged and ignored. */
  idempotency_key: z.string().min(1).max(200),
  occurred_at: z.iso.datetime({ offset: true }),
  attempt: z.number().int().min(1),
  jambonz_call_sid: z.string().min(1).nullable(),
};

export const callEvent = z.discriminatedUnion("type", [
  z.object({
    ...eventBase,
    type: z.literal("status"),
    status: reportedCallStatus,
    sip_status: z.number().int().nullable().optional(),
    hangup_cause: z.string().max(200).nullable().optional(),
    /** Talk time, on the final status of an answered call. */
    duration_ms: z.number().int().min(0).nullable().optional(),
  }),
  z.object({ ...eventBase, type: z.literal("amd"), verdict: z.enum(["human", "machine", "unknown"]) }),
  z.object({
    ...eventBase,
    type: z.literal("turn"),
    sequence: z.number().int().min(0),
    speaker: z.enum(["agent", "contact", "system"]),
    text: z.string().min(1).max(10_000),
    intent: z.string().max(100).nullable().optional(),
    confidence: z.number().min(0).max(1).nullable().optional(),
    /** Recogniser → reply spoken, as measured by the media node. */
    latency_ms: z.number().int().min(0).nullable().optional(),
  }),
]);
export type CallEvent = z.infer<typeof callEvent>;

/**
 * `POST {EDGE_URL}/internal/v1/calls/{call_id}/partial-transcripts`: what the contact has said so far, while the
 * recogniser listens. Shown to live subscribers only, never stored: the final turn event is the record.
 */
export const partialTranscript = z.object({
  attempt: z.number().int().min(1),
  /** The sequence the final turn will have. */
  sequence: z.number().int().min(0),
  text: z.string().min(1).max(10_000),
  occurred_at: z.iso.datetime({ offset: true }),
});
export type PartialTranscript = z.infer<typeof partialTranscript>;

/** `POST {EDGE_URL}/internal/v1/calls/{call_id}/events` answers this (200), replays included. */
export const callEventAck = z.object({ applied: z.boolean() });

/** Several events of one call, applied in order (POST …/events/batch): how a media node catches up. */
export const callEventBatch = z.object({ events: z.array(callEvent).min(1).max(50) });
export const callEventBatchAck = z.object({ applied: z.array(z.boolean()) });

// ── Media node → edge: the conversation ──────────────────────────────────────────────────────────────

/** What just happened on the line, for the agent to answer. */
export const turnInput = z.discriminatedUnion("kind", [
  /** The call was answered by a person (or AMD is off): the agent greets. */
  z.object({ kind: z.literal("start") }),
  z.object({
    kind: z.literal("speech"),
    transcript: z.string().min(1).max(5_000),
    confidence: z.number().min(0).max(1).nullable(),
  }),
  z.object({ kind: z.literal("dtmf"), digits: z.string().regex(/^[0-9*#A-D]{1,32}$/) }),
  /** The gather timed out without input. */
  z.object({ kind: z.literal("silence") }),
  /** AMD heard a machine and its greeting ended: the agent's voicemail message is wanted. */
  z.object({ kind: z.literal("voicemail") }),
]);
export type TurnInput = z.infer<typeof turnInput>;

/** `POST {EDGE_URL}/internal/v1/calls/{call_id}/turn`. */
export const agentTurnRequest = z.object({
  attempt: z.number().int().min(1),
  input: turnInput,
  /**
   * Unique per turn of a dial (the media node sends `${call_id}:${attempt}:turn:${n}:${nonce}`): a request
   * repeated with the same key within the same attempt gets the reply already answered, and the conversation
   * does not advance twice. Without it every request is a new turn.
   */
  idempotency_key: z.string().min(1).max(200).optional(),
});
export type AgentTurnRequest = z.infer<typeof agentTurnRequest>;

/** How the media node configures jambonz for this agent (from the agent's settings). */
export const speechSettings = z.object({
  synthesizer: z.object({ vendor: z.string(), language: z.string(), voice: z.string().nullable() }),
  recognizer: z.object({ vendor: z.string(), language: z.string(), hints: z.array(z.string()).max(100) }),
});
export type SpeechSettings = z.infer<typeof speechSettings>;

export const agentTurnResponse = z.object({
  /** Text to speak now; null means say nothing. */
  say: z.string().max(5_000).nullable(),
  /** continue → gather the caller's answer; hangup → end after speaking; transfer → refer/dial `transfer_to`. */
  action: z.enum(["continue", "hangup", "transfer"]),
  transfer_to: z.string().min(1).nullable(),
  /** Seconds to wait for speech or digits before the next `silence` turn. */
  gather_timeout_s: z.number().int().min(1).max(60),
  barge_in: z.boolean(),
  /** The scenario step the agent is in (for logs and the transcript), when it runs a scenario. */
  step: z.string().nullable(),
  /** The media node records this text as the agent's turn; `intent` is what the agent understood. */
  intent: z.string().nullable(),
  speech: speechSettings,
});
export type AgentTurnResponse = z.infer<typeof agentTurnResponse>;

/**
 * The streamed form of the turn's answer, asked for with `Accept: application/x-ndjson`: one JSON object per
 * line: the agent's `speech` settings then the reply's text as it is produced (`delta`), both for LLM agents
 * only (so the first sentence can be spoken in the agent's voice before the rest is written), then exactly one last line, the whole
 * `reply` (its `say` is the full text, which may differ from the deltas when the agent took them back, e.g. a
 * refused transfer or a provider failure) or an `error` (the HTTP status the plain JSON answer would have had:
 * 409 when another turn of the call was answered meanwhile). Without that Accept header the answer is one
 * AgentTurnResponse, as before.
 */
export const AGENT_TURN_STREAM_MEDIA_TYPE = "application/x-ndjson";
export const agentTurnStreamLine = z.discriminatedUnion("type", [
  z.object({ type: z.literal("speech"), speech: speechSettings }),
  z.object({ type: z.literal("delta"), text: z.string().min(1) }),
  agentTurnResponse.extend({ type: z.literal("reply") }),
  z.object({
    type: z.literal("error"),
    status: z.number().int().min(400).max(599),
    code: z.string(),
    message: z.string(),
  }),
]);
export type AgentTurnStreamLine = z.infer<typeof agentTurnStreamLine>;

// ── Media node → edge: inbound calls ─────────────────────────────────────────────────────────────────

/** `POST {EDGE_URL}/internal/v1/inbound-calls`: a SIP trunk call arrived; 404 when no agent owns `to`. */
export const inboundCallRequest = z.object({
  to: z.string().min(1),
  from: z.string().min(1),
  jambonz_call_sid: z.string().min(1),
});
export const inboundCallResponse = z.object({ call_id: uuid, org_id: uuid });
export type InboundCallRequest = z.infer<typeof inboundCallRequest>;
