import { z } from "zod";
import {
  type AudioInput,
  type SpeechProvider,
  type SpeechRequest,
  SpeechUpstreamError,
  type SynthesizedSpeech,
  type Transcription,
} from "./provider.js";

/** The slice of the Workers AI binding (`[ai] binding = "AI"`) this provider uses. */
export type WorkersAiBinding = { run(model: string, input: Record<string, unknown>): Promise<unknown> };

export const WORKERS_AI_TRANSCRIPTION_MODEL = "@cf/openai/whisper-large-v3-turbo";
export const WORKERS_AI_SPEECH_MODEL = "@cf/myshell-ai/melotts";

const WhisperOutput = z.object({
  text: z.string(),
  transcription_info: z.object({ language: z.string().optional(), duration: z.number().optional() }).optional(),
});
const MeloOutput = z.object({ audio: z.string().min(1) });

/** Workers AI: Whisper for transcription, MeloTTS (MP3, base64) for speech. */
export class WorkersAiSpeech implements SpeechProvider {
  readonly name = "workers-ai";

  constructor(private readonly ai: WorkersAiBinding) {}

  async transcribe(audio: AudioInput, language: string | undefined): Promise<Transcription> {
    const output = await this.#run(WORKERS_AI_TRANSCRIPTION_MODEL, {
      audio: toBase64(audio.bytes),
      ...(language ? { language } : {}),
    });
    const parsed = WhisperOutput.safeParse(output);
    if (!parsed.success) throw new SpeechUpstreamError("Workers AI transcription answer is malformed", null);
    const info = parsed.data.transcription_info;
    return {
      text: parsed.data.text.trim(),
      language: language ?? info?.language ?? "und",
      durationSeconds: info?.duration ?? null,
    };
  }

  async synthesize(request: SpeechRequest): Promise<SynthesizedSpeech> {
    const parsed = MeloOutput.safeParse(
      await this.#run(WORKERS_AI_SPEECH_MODEL, { prompt: request.text, lang: request.language }),
    );
    if (!parsed.success) throw new SpeechUpstreamError("Workers AI speech answer is malformed", null);
    return { audio: fromBase64(parsed.data.audio), contentType: "audio/mpeg" };
  }

  async #run(model: string, input: Record<string, unknown>): Promise<unknown> {
    try {
      return await this.ai.run(model, input);
    } catch (error) {
      throw new SpeechUpstreamError(`Workers AI ${model} failed (${String(error)})`, null);
    }
  }
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let index = 0; index < bytes.length; index += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(index, index + 0x8000));
  }
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}
