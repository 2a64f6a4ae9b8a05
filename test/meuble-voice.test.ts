import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { inspectWav } from "../edge/src/recordings/wav.js";
import { startSpeechServer } from "../media-node/src/speech/server.js";
import { type OpenAiCompatibleServer, startOpenAiCompatibleServer } from "./support/openai-compatible-server.js";
import { startThrowawayEdge } from "./support/throwaway-edge.js";
import { sineWav } from "./support/wav.js";

/**
 * Meuble de France's /api/voice through the speech-provider interface, on two workers of their own:
 * - "local": SPEECH_BASE_URL = the local stack's eSpeak-NG server (media-node/src/speech). It really speaks (a
 *   playable WAV whose length follows the text) and has no recogniser, so transcription is 503, never made up.
 * - "provider": SPEECH_BASE_URL = an OpenAI-compatible stand-in, to check the production client's requests and
 *   what it makes of the answers, including an upstream outage opening the speech circuit breaker.
 */

const stops: Array<() => Promise<void>> = [];
let localEdge: string;
let providerEdge: string;
let provider: OpenAiCompatibleServer;

beforeAll(async () => {
  const speech = await startSpeechServer();
  stops.push(speech.stop);
  provider = await startOpenAiCompatibleServer();
  stops.push(provider.stop);
  const common = {
    databaseUrl: inject("databaseUrl"),
    apiPassword: inject("apiPassword"),
    environment: "test",
    stops,
  } as const;
  [localEdge, providerEdge] = await Promise.all([
    startThrowawayEdge({ ...common, vars: { SPEECH_BASE_URL: speech.baseUrl, SPEECH_TTS_FORMAT: "wav" } }),
    startThrowawayEdge({ ...common, vars: { SPEECH_BASE_URL: provider.baseUrl, SPEECH_API_KEY: "sk-speech-test" } }),
  ]);
}, 180_000);

afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
});

/** The demo organisation, through the legacy password sent as X-API-Key (any credential works here). */
function call(edge: string, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("x-api-key", inject("apiPassword"));
  headers.set("cf-connecting-ip", `10.9.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`);
  return fetch(`${edge}${path}`, { ...init, headers });
}

function tts(edge: string, body: Record<string, unknown>): Promise<Response> {
  return call(edge, "/api/voice/tts", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

function transcribeForm(bytes: Uint8Array<ArrayBuffer>, language?: string): FormData {
  const form = new FormData();
  form.append("audio_file", new Blob([bytes], { type: "audio/wav" }), "audio.wav");
  if (language) form.append("language", language);
  return form;
}

describe("local engine (eSpeak-NG)", () => {
  it("POST /api/voice/tts speaks the text as a valid WAV, longer for a longer text", async () => {
    const short = await tts(localEdge, { text: "Bonjour", language: "fr", voice: "alloy" });
    expect(short.status, await short.clone().text()).toBe(200);
    expect(short.headers.get("content-type")).toBe("audio/wav");
    const shortWav = inspectWav(new Uint8Array(await short.arrayBuffer()));
    if (!shortWav.ok) throw new Error(shortWav.problem);

    const long = await tts(localEdge, { text: "Votre ticket a été créé avec succès", language: "fr", voice: "alloy" });
    const bytes = new Uint8Array(await long.arrayBuffer());
    const wav = inspectWav(bytes);
    if (!wav.ok) throw new Error(wav.problem);
    expect(wav.info).toMatchObject({ audioFormat: 1, channels: 1, bitsPerSample: 16 });
    expect(wav.info.durationMs).toBeGreaterThan(1000);
    expect(wav.info.durationMs).toBeGreaterThan(shortWav.info.durationMs * 1.5);
    // Real speech, not silence: a fair share of the samples are loud.
    const samples = new Int16Array(bytes.buffer, 44, Math.floor((bytes.byteLength - 44) / 2));
    const loud = samples.filter((sample) => Math.abs(sample) > 1000).length;
    expect(loud / samples.length).toBeGreaterThan(0.05);
  });

  it("speaks English and Spanish too; an unknown language is 400", async () => {
    for (const language of ["en", "es"]) {
      const response = await tts(localEdge, { text: "Hello, hola", language });
      expect(response.status).toBe(200);
      expect(inspectWav(new Uint8Array(await response.arrayBuffer())).ok).toBe(true);
    }
    const bad = await tts(localEdge, { text: "x", language: "klingon-xx" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ success: false, error: "validation_error" });
  });

  it("POST /api/voice/transcribe is 503: the local stack has no recogniser, and says so", async () => {
    const response = await call(localEdge, "/api/voice/transcribe", {
      method: "POST",
      body: transcribeForm(new Uint8Array(sineWav(1)), "fr"),
    });
    expect(response.status).toBe(503);
    const body = (await response.json()) as { error: string; detail: string };
    expect(body).toMatchObject({ success: false, error: "service_unavailable" });
    expect(body.detail).toMatch(/No transcription engine/);
  });
});

describe("OpenAI-compatible provider (production client)", () => {
  it("transcribe sends the file, model and language as multipart and answers the documented shape", async () => {
    provider.audio.transcriptions.push({
      text: " Bonjour, j'ai un problème avec mon canapé ",
      language: "french",
      duration: 3.5,
    });
    const audio = sineWav(1);
    const response = await call(providerEdge, "/api/voice/transcribe", {
      method: "POST",
      body: transcribeForm(new Uint8Array(audio), "fr"),
    });
    expect(response.status, await response.clone().text()).toBe(200);
    expect(await response.json()).toEqual({
      success: true,
      text: "Bonjour, j'ai un problème avec mon canapé",
      language: "fr",
      duration: 3.5,
    });
    const sent = provider.audio.requests.at(-1);
    expect(sent?.path).toBe("/v1/audio/transcriptions");
    expect(sent?.headers.authorization).toBe("Bearer sk-speech-test");
    expect(sent?.fields).toMatchObject({ model: "whisper-1", language: "fr", response_format: "verbose_json" });
    expect(sent?.fields.file).toEqual(audio);
  });

  it("tts asks for mp3 and returns the provider's audio/mpeg bytes", async () => {
    const mp3 = new Uint8Array([0x49, 0x44, 0x33, 0x04, 0, 0, 0, 0, 0, 0, 0xff, 0xfb, 0x90, 0x64]);
    provider.audio.speeches.push({ audio: mp3, contentType: "audio/mpeg" });
    const response = await tts(providerEdge, {
      text: "Votre ticket a été créé avec succès",
      language: "fr",
      voice: "alloy",
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("audio/mpeg");
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(mp3);
    expect(provider.audio.requests.at(-1)?.fields).toMatchObject({
      model: "tts-1",
      input: "Votre ticket a été créé avec succès",
      voice: "alloy",
      response_format: "mp3",
    });
  });

  it("a failing provider is 502; after 5 failures the speech breaker opens and answers 503 at once", async () => {
    for (let index = 0; index < 5; index++) {
      provider.audio.speeches.push({ status: 500, error: "engine down" });
      const response = await tts(providerEdge, { text: "Bonjour" });
      expect(response.status).toBe(502);
      expect(await response.json()).toMatchObject({ success: false, error: "speech_provider_error" });
    }
    const before = provider.audio.requests.length;
    const refused = await tts(providerEdge, { text: "Bonjour" });
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(provider.audio.requests.length).toBe(before);
    const breakers = (await (await call(providerEdge, "/circuit-breakers")).json()) as {
      healthy: boolean;
      breakers: { speech: { state: string; total_calls: number } };
    };
    expect(breakers.healthy).toBe(false);
    expect(breakers.breakers.speech.state).toBe("open");
  });
});
