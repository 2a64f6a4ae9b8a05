import { z } from "zod";
import type { AppEnv } from "../env.js";
import { breakerFor } from "../ops/circuit-breakers.js";
import { parseInput } from "../shared/validate.js";
import { OpenAiCompatibleSpeech } from "./openai-compatible.js";
import {
  type AudioInput,
  type SpeechProvider,
  SpeechUnavailableError,
  SpeechUpstreamError,
  type SynthesizedSpeech,
  type Transcription,
} from "./provider.js";
import { type WorkersAiBinding, WorkersAiSpeech } from "./workers-ai.js";

const LANGUAGE = z
  .string()
  .trim()
  .regex(/^[a-z]{2,3}(-[A-Za-z]{2,4})?$/, "an ISO 639 language code, e.g. fr");

const ttsInput = z.object({
  text: z.string().trim().min(1).max(4096),
  language: LANGUAGE.default("fr"),
  voice: z.string().trim().min(1).max(50).default("alloy"),
});

/**
 * The configured engine: an OpenAI-compatible endpoint when SPEECH_BASE_URL is set (production provider, or the
 * local stack's eSpeak-NG server), else Workers AI when the AI binding exists, else none.
 */
export function speechProvider(env: AppEnv): SpeechProvider | null {
  if (env.SPEECH_BASE_URL) {
    return new OpenAiCompatibleSpeech({
      baseUrl: env.SPEECH_BASE_URL,
      apiKey: env.SPEECH_API_KEY,
      transcriptionModel: env.SPEECH_TRANSCRIPTION_MODEL,
      speechModel: env.SPEECH_TTS_MODEL,
      speechFormat: env.SPEECH_TTS_FORMAT,
    });
  }
  if (env.AI) return new WorkersAiSpeech(env.AI as WorkersAiBinding);
  return null;
}

const NO_ENGINE = "set SPEECH_BASE_URL (OpenAI-compatible) or bind Workers AI as AI";

export async function transcribe(env: AppEnv, audio: AudioInput, language: string | undefined): Promise<Transcription> {
  const lang = language ? parseInput(LANGUAGE, language, "Invalid language") : undefined;
  const provider = speechProvider(env);
  if (!provider) throw new SpeechUnavailableError("transcription", NO_ENGINE);
  return throughBreaker(() => provider.transcribe(audio, lang), "transcription");
}

export async function synthesize(env: AppEnv, input: unknown): Promise<SynthesizedSpeech> {
  const request = parseInput(ttsInput, input, "Invalid speech request");
  const provider = speechProvider(env);
  if (!provider) throw new SpeechUnavailableError("speech synthesis", NO_ENGINE);
  return throughBreaker(() => provider.synthesize(request), "speech synthesis");
}

/**
 * Calls the engine under the speech breaker. An engine that answers 404/501 for a capability has none (e.g. the
 * local eSpeak-NG server, which cannot transcribe): that is "unavailable", not an outage.
 */
async function throughBreaker<T>(work: () => Promise<T>, capability: "transcription" | "speech synthesis"): Promise<T> {
  try {
    return await breakerFor("speech").run(work, (error) => !isMissingCapability(error));
  } catch (error) {
    if (isMissingCapability(error)) throw new SpeechUnavailableError(capability, (error as Error).message);
    throw error;
  }
}

function isMissingCapability(error: unknown): boolean {
  return error instanceof SpeechUpstreamError && (error.upstreamStatus === 404 || error.upstreamStatus === 501);
}
