import { WebhookResponse } from "@jambonz/sdk/webhook";
import type { AgentTurnResponse, SpeechSettings } from "@switchboard/schema/internal/calls";
import type { CallTag } from "./registry.js";

/** A jambonz application: the verb array a hook answers (or a WebSocket session sends). */
export type Verbs = Record<string, unknown>[];

/** Absolute URLs of this node's hooks, as jambonz must reach them. */
export type HookUrls = {
  call: string;
  gather: string;
  amd: string;
  status: string;
  /**
   * Where a `redirect` fetches the rest of a reply whose first sentences were spoken before it was complete.
   * A transport without it gets whole replies only.
   */
  continue?: string;
  /** Where jambonz sends the recogniser's interim results while a gather listens (shown live, never stored). */
  partial?: string;
  /** ws(s):// URL of the audio stream for one call. */
  listen: (callId: string) => string;
};

export function hookUrls(publicUrl: string): HookUrls {
  const base = publicUrl.replace(/\/+$/, "");
  const wsBase = base.replace(/^http/, "ws");
  return {
    call: `${base}/jambonz/call`,
    gather: `${base}/jambonz/gather`,
    amd: `${base}/jambonz/amd`,
    status: `${base}/jambonz/status`,
    continue: `${base}/jambonz/continue`,
    partial: `${base}/jambonz/partial`,
    listen: (callId) => `${wsBase}/jambonz/listen/${callId}`,
  };
}

/** Long enough for AMD's decision (15 s) and the beep wait (20 s) with their defaults. */
export const AMD_WAIT_SECONDS = 40;
export const RECORDING_SAMPLE_RATE = 8_000;
const NOT_IN_SERVICE = "The number you have dialled is not in service. Goodbye.";
const UNAVAILABLE = "We are sorry, we cannot take your call right now. Goodbye.";

// The SDK's builder validates every verb with a fresh Ajv per instance; the verb test validates instead.
const builder = () => new WebhookResponse({ validate: false });

/** Tags an inbound call, so every later hook carries the edge's ids as `customerData`. */
export function tagVerbs(tag: CallTag): Verbs {
  return builder().tag({ data: tag }).toJSON() as unknown as Verbs;
}

/** Starts streaming the call's audio (both sides mixed, L16 at 8 kHz) to the recorder, in the background. */
export function recordingVerbs(urls: HookUrls, tag: CallTag): Verbs {
  const listen = {
    enable: true,
    url: urls.listen(tag.call_id),
    mixType: "mixed",
    sampleRate: RECORDING_SAMPLE_RATE,
    metadata: { call_id: tag.call_id, attempt: tag.attempt },
  };
  return builder()
    .config({ listen } as never)
    .toJSON() as unknown as Verbs;
}

/** Keeps the answered line open while AMD decides; the AMD hook replaces it, or the redirect moves on. */
export function amdWaitVerbs(urls: HookUrls): Verbs {
  return builder()
    .pause({ length: AMD_WAIT_SECONDS })
    .redirect({ actionHook: `${urls.call}?after=amd-wait` })
    .toJSON() as unknown as Verbs;
}

export function notInServiceVerbs(): Verbs {
  return builder().say({ text: NOT_IN_SERVICE }).hangup().toJSON() as unknown as Verbs;
}

/** When the edge cannot answer for the agent: end politely rather than leave dead air. */
export function unavailableVerbs(): Verbs {
  return builder().say({ text: UNAVAILABLE }).hangup().toJSON() as unknown as Verbs;
}

/**
 * The first sentences of a reply still being written, in the agent's voice, then a redirect to the continue
 * hook, which answers the rest once it is there (or the next sentences and another redirect).
 */
export function partialReplyVerbs(text: string, speech: SpeechSettings, continueUrl: string): Verbs {
  return builder()
    .config(speechConfig(speech))
    .say({ text })
    .redirect({ actionHook: continueUrl })
    .toJSON() as unknown as Verbs;
}

/** Speaks the agent's reply with its voice, then does what the agent decided. */
export function replyVerbs(reply: AgentTurnResponse, urls: HookUrls): Verbs {
  const app = builder().config(speechConfig(reply.speech));
  if (reply.action === "continue") {
    const gather = {
      input: ["speech", "digits"] as ("speech" | "digits")[],
      actionHook: urls.gather,
      timeout: reply.gather_timeout_s,
      interDigitTimeout: 3,
      ...(urls.partial ? { partialResultHook: urls.partial } : {}),
    };
    if (reply.say && reply.barge_in) {
      // The prompt is nested so the contact can interrupt it by speaking or pressing a key.
      app.gather({ ...gather, say: { text: reply.say }, bargein: true, dtmfBargein: true });
    } else {
      if (reply.say) app.say({ text: reply.say });
      app.gather(gather);
    }
    return app.toJSON() as unknown as Verbs;
  }
  if (reply.say) app.say({ text: reply.say });
  if (reply.action === "transfer" && reply.transfer_to) {
    if (/^\+[1-9]\d{6,14}$/.test(reply.transfer_to)) {
      app.dial({ target: [{ type: "phone", number: reply.transfer_to }], answerOnBridge: true });
    } else {
      app.sipRefer({ referTo: reply.transfer_to });
    }
  }
  // After a hangup reply, a finished dial or a failed refer, the call ends.
  return app.hangup().toJSON() as unknown as Verbs;
}

function speechConfig(speech: SpeechSettings) {
  const { vendor, language, voice } = speech.synthesizer;
  const recognizer = speech.recognizer;
  return {
    synthesizer: { vendor, language, ...(voice ? { voice } : {}) },
    recognizer: {
      vendor: recognizer.vendor,
      language: recognizer.language,
      ...(recognizer.hints.length > 0 ? { hints: recognizer.hints } : {}),
    },
  } as never;
}
