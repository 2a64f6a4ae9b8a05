import { z } from "zod";
import {
  type AudioInput,
  type SpeechProvider,
  type SpeechRequest,
  SpeechUpstreamError,
  type SynthesizedSpeech,
  type Transcription,
} from "./provider.js";

export type OpenAiSpeechConfig = {
  /** Up to and including `/v1`. */
  baseUrl: string;
  apiKey: string | undefined;
  transcriptionModel: string;
  speechModel: string;
  /** What /audio/speech is asked for: `mp3` (OpenAI's default) or `wav` (the local eSpeak-NG server). */
  speechFormat: "mp3" | "wav";
  fetcher?: typeof fetch;
};

const FORMAT_TYPES = { mp3: "audio/mpeg", wav: "audio/wav" } as const;

/** `verbose_json` carries the duration and the detected language (a name, e.g. "french", or a code). */
const TranscriptionBody = z.object({
  text: z.string(),
  language: z.string().optional(),
  duration: z.number().optional(),
});

/** OpenAI's audio API: POST /audio/transcriptions (multipart) and POST /audio/speech (JSON → audio bytes). */
export class OpenAiCompatibleSpeech implements SpeechProvider {
  readonly name = "openai-compatible";
  readonly #fetch: typeof fetch;

  constructor(private readonly config: OpenAiSpeechConfig) {
    this.#fetch = config.fetcher ?? ((input, init) => fetch(input, init));
  }

  async transcribe(audio: AudioInput, language: string | undefined): Promise<Transcription> {
    const form = new FormData();
    form.append("file", new Blob([audio.bytes], { type: audio.contentType }), audio.fileName);
    form.append("model", this.config.transcriptionModel);
    form.append("response_format", "verbose_json");
    if (language) form.append("language", language);
    const response = await this.#post("/audio/transcriptions", form);
    const parsed = TranscriptionBody.safeParse(await response.json().catch(() => null));
    if (!parsed.success)
      throw new SpeechUpstreamError("Transcription answer is not the expected JSON", response.status);
    return {
      text: parsed.data.text.trim(),
      language: language ?? languageCode(parsed.data.language),
      durationSeconds: parsed.data.duration ?? null,
    };
  }

  async synthesize(request: SpeechRequest): Promise<SynthesizedSpeech> {
    const body = JSON.stringify({
      model: this.config.speechModel,
      input: request.text,
      voice: request.voice,
      response_format: this.config.speechFormat,
      // Not an OpenAI field; engines that pick a voice per language (eSpeak-NG) read it, others ignore it.
      language: request.language,
    });
    const response = await this.#post("/audio/speech", body, { "content-type": "application/json" });
    const audio = new Uint8Array(await response.arrayBuffer());
    if (audio.byteLength === 0) throw new SpeechUpstreamError("Speech engine returned no audio", response.status);
    const declared = response.headers.get("content-type")?.split(";")[0]?.trim();
    return { audio, contentType: declared?.startsWith("audio/") ? declared : FORMAT_TYPES[this.config.speechFormat] };
  }

  async #post(path: string, body: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
    const url = `${this.config.baseUrl.replace(/\/+$/, "")}${path}`;
    let response: Response;
    try {
      response = await this.#fetch(url, {
        method: "POST",
        body,
        headers: { ...headers, ...(this.config.apiKey ? { authorization: `Bearer ${this.config.apiKey}` } : {}) },
        signal: AbortSignal.timeout(25_000),
      });
    } catch (error) {
      throw new SpeechUpstreamError(`Speech engine unreachable (${String(error)})`, null);
    }
    if (!response.ok) {
      const detail = upstreamMessage(await response.text().catch(() => ""));
      throw new SpeechUpstreamError(`Speech engine answered ${response.status}: ${detail}`, response.status);
    }
    return response;
  }
}

const LANGUAGE_NAMES: Record<string, string> = {
  french: "fr",
  english: "en",
  spanish: "es",
  german: "de",
  italian: "it",
};

function languageCode(language: string | undefined): string {
  if (!language) return "und";
  const lower = language.toLowerCase();
  return LANGUAGE_NAMES[lower] ?? lower;
}

/** OpenAI's error envelope `{"error":{"message"}}` read for its message; any other body, its start. */
function upstreamMessage(body: string): string {
  try {
    const message = (JSON.parse(body) as { error?: { message?: unknown } }).error?.message;
    if (typeof message === "string") return message.slice(0, 200);
  } catch {
    // Not JSON: the raw text follows.
  }
  return body.slice(0, 200);
}
