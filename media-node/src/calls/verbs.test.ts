import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { agentReply } from "../testing/fake-edge.js";
import type { CallTag } from "./registry.js";
import {
  amdWaitVerbs,
  hookUrls,
  notInServiceVerbs,
  partialReplyVerbs,
  recordingVerbs,
  replyVerbs,
  tagVerbs,
  unavailableVerbs,
  type Verbs,
} from "./verbs.js";

type ValidationResult = { valid: boolean; errors: Array<{ path: string; message: string }> };
const jambonzSchema = createRequire(import.meta.url)("@jambonz/schema") as {
  validateApp: (app: unknown) => ValidationResult;
};

/** The verbs jambonz-feature-server runs (lib/utils/constants.json TaskName), minus those we never emit. */
const FEATURE_SERVER_VERBS = new Set([
  "answer",
  "conference",
  "config",
  "dequeue",
  "dial",
  "dialogflow",
  "dtmf",
  "dub",
  "enqueue",
  "gather",
  "hangup",
  "leave",
  "lex",
  "listen",
  "llm",
  "message",
  "pause",
  "play",
  "rasa",
  "redirect",
  "sip:decline",
  "sip:request",
  "sip:refer",
  "say",
  "tag",
  "transcribe",
]);

const urls = hookUrls("https://media.example.com");
const tag: CallTag = {
  call_id: "0b8f5a4e-2a43-4f7e-9d6e-5a1f3c2b7e10",
  org_id: "6f1d2c3b-4a59-4e6d-8f70-112233445566",
  attempt: 2,
};

/** Every verb array the media node can answer, by branch. */
const EMITTED: Record<string, Verbs> = {
  "inbound tag": tagVerbs(tag),
  recording: recordingVerbs(urls, tag),
  "amd wait": amdWaitVerbs(urls),
  "not in service": notInServiceVerbs(),
  unavailable: unavailableVerbs(),
  "continue, barge-in": replyVerbs(agentReply(), urls),
  "continue, no barge-in": replyVerbs(agentReply({ barge_in: false }), urls),
  "continue, nothing to say": replyVerbs(agentReply({ say: null }), urls),
  "continue, no voice, no hints": replyVerbs(
    agentReply({
      speech: {
        synthesizer: { vendor: "default", language: "en-US", voice: null },
        recognizer: { vendor: "default", language: "en-US", hints: [] },
      },
    }),
    urls,
  ),
  hangup: replyVerbs(agentReply({ action: "hangup" }), urls),
  "hangup, silent": replyVerbs(agentReply({ action: "hangup", say: null }), urls),
  "transfer to SIP": replyVerbs(agentReply({ action: "transfer", transfer_to: "sip:desk@pbx.example.com" }), urls),
  "transfer to a number": replyVerbs(agentReply({ action: "transfer", transfer_to: "+15551234567" }), urls),
  "transfer without target": replyVerbs(agentReply({ action: "transfer", transfer_to: null }), urls),
  "first sentences of a streamed reply": partialReplyVerbs("Bonjour.", agentReply().speech, urls.continue as string),
};

describe("verbs the media node emits", () => {
  it.each(Object.entries(EMITTED))("%s: valid per @jambonz/schema and run by the feature server", (_branch, verbs) => {
    expect(jambonzSchema.validateApp(verbs)).toEqual({ valid: true, errors: [] });
    for (const verb of verbs) expect(FEATURE_SERVER_VERBS).toContain(verb.verb);
  });

  it("the validator does reject a broken verb", () => {
    expect(jambonzSchema.validateApp([{ verb: "gather", input: "speech" }]).valid).toBe(false);
    expect(jambonzSchema.validateApp([{ verb: "pause" }]).valid).toBe(false);
  });
});
