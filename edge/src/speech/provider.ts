import { DomainError } from "../shared/errors.js";

/** What the caller sent to be transcribed. */
export type AudioInput = { bytes: Uint8Array<ArrayBuffer>; contentType: string; fileName: string };
export type Transcription = { text: string; language: string; durationSeconds: number | null };
export type SpeechRequest = { text: string; language: string; voice: string };
export type SynthesizedSpeech = { audio: Uint8Array<ArrayBuffer>; contentType: string };

/**
 * A speech engine: Workers AI or any OpenAI-compatible endpoint in production, the local stack's eSpeak-NG
 * server (media-node/src/speech) offline. Nothing else stands in: without an engine the routes answer 503.
 */
export interface SpeechProvider {
  readonly name: string;
  transcribe(audio: AudioInput, language: string | undefined): Promise<Transcription>;
  synthesize(request: SpeechRequest): Promise<SynthesizedSpeech>;
}

/** No engine is configured for this capability (503). */
export class SpeechUnavailableError extends DomainError {
  constructor(capability: "transcription" | "speech synthesis", why: string) {
    super("SPEECH_UNAVAILABLE", `No ${capability} engine is available: ${why}`);
  }
}

/** The engine answered with a failure or not at all (502/503 territory, counted by the speech breaker). */
export class SpeechUpstreamError extends Error {
  constructor(
    message: string,
    readonly upstreamStatus: number | null,
  ) {
    super(message);
  }
}
