import { describe, expect, it } from "vitest";
import { SpeechUpstreamError } from "./provider.js";
import { WORKERS_AI_SPEECH_MODEL, WORKERS_AI_TRANSCRIPTION_MODEL, WorkersAiSpeech } from "./workers-ai.js";

/**
 * The Workers AI adapter's mapping of requests and answers. The binding only exists on Cloudflare, so this records
 * what the adapter passes to `run` and hands back answers in the shapes Workers AI documents for these models.
 */
function binding(answer: unknown) {
  const calls: Array<{ model: string; input: Record<string, unknown> }> = [];
  return {
    calls,
    ai: {
      run: async (model: string, input: Record<string, unknown>) => {
        calls.push({ model, input });
        if (answer instanceof Error) throw answer;
        return answer;
      },
    },
  };
}

describe("Workers AI speech", () => {
  it("sends Whisper the audio as base64 and maps its transcription info", async () => {
    const { ai, calls } = binding({ text: " Bonjour ", transcription_info: { language: "fr", duration: 1.25 } });
    const result = await new WorkersAiSpeech(ai).transcribe(
      { bytes: new Uint8Array([1, 2, 3]), contentType: "audio/wav", fileName: "a.wav" },
      undefined,
    );
    expect(result).toEqual({ text: "Bonjour", language: "fr", durationSeconds: 1.25 });
    expect(calls).toEqual([{ model: WORKERS_AI_TRANSCRIPTION_MODEL, input: { audio: "AQID" } }]);
  });

  it("decodes MeloTTS's base64 MP3", async () => {
    const { ai, calls } = binding({ audio: "SUQz" });
    const speech = await new WorkersAiSpeech(ai).synthesize({ text: "Salut", language: "fr", voice: "alloy" });
    expect(speech).toEqual({ audio: new Uint8Array([0x49, 0x44, 0x33]), contentType: "audio/mpeg" });
    expect(calls[0]).toEqual({ model: WORKERS_AI_SPEECH_MODEL, input: { prompt: "Salut", lang: "fr" } });
  });

  it("a failing or malformed answer is a SpeechUpstreamError", async () => {
    await expect(
      new WorkersAiSpeech(binding(new Error("quota")).ai).synthesize({ text: "x", language: "fr", voice: "a" }),
    ).rejects.toBeInstanceOf(SpeechUpstreamError);
    await expect(
      new WorkersAiSpeech(binding({ nope: 1 }).ai).synthesize({ text: "x", language: "fr", voice: "a" }),
    ).rejects.toBeInstanceOf(SpeechUpstreamError);
  });
});
