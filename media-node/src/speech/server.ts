import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { speakToWav, VOICE_VARIANTS } from "./espeak.js";

/**
 * The local stack's speech engine, behind OpenAI's audio API so the edge reaches it through its production
 * client (SPEECH_BASE_URL). eSpeak-NG's Emscripten build compiles its 18 MB .wasm (voices embedded) from bytes
 * at run time, which workerd forbids, so it runs here in Node, a legitimate local counterpart of a hosted engine.
 * - POST /v1/audio/speech: real eSpeak-NG speech as WAV (response_format "wav"; other formats are refused).
 * - POST /v1/audio/transcriptions: 501. No offline speech recogniser installs from npm without downloading model
 *   weights, so this server says so and the edge answers 503; it never makes up a transcript.
 */
const SpeechBody = z.object({
  model: z.string().optional(),
  input: z.string().min(1).max(4096),
  voice: z.string().default("alloy"),
  response_format: z.string().default("wav"),
  language: z.string().default("fr"),
});

export type SpeechServer = { baseUrl: string; stop(): Promise<void> };

export async function startSpeechServer(port = 0, host = "127.0.0.1"): Promise<SpeechServer> {
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error) => sendError(res, 500, String(error)));
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const address = server.address() as AddressInfo;
  return {
    baseUrl: `http://${host}:${address.port}/v1`,
    stop: () => new Promise<void>((done) => server.close(() => done())),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  if (req.method === "GET" && req.url === "/health") {
    return sendJson(res, 200, { status: "ok", tts: "espeak-ng", asr: null });
  }
  if (req.method === "POST" && req.url === "/v1/audio/transcriptions") {
    return sendError(res, 501, "This local speech server has no transcription engine (none installs offline)");
  }
  if (req.method !== "POST" || req.url !== "/v1/audio/speech") return sendError(res, 404, `no route ${req.url}`);
  const parsed = SpeechBody.safeParse(parseJson(body));
  if (!parsed.success) return sendError(res, 400, z.prettifyError(parsed.error));
  const request = parsed.data;
  if (request.response_format !== "wav") {
    return sendError(res, 400, `eSpeak-NG writes WAV only; response_format ${request.response_format} unsupported`);
  }
  const wav = await speakToWav({
    text: request.input,
    language: request.language,
    variant: VOICE_VARIANTS[request.voice] ?? "",
  }).catch((error: unknown) => error as Error);
  if (wav instanceof Error) return sendError(res, 400, wav.message);
  res.writeHead(200, { "content-type": "audio/wav", "content-length": String(wav.byteLength) });
  res.end(wav);
}

function parseJson(text: Buffer): unknown {
  try {
    return JSON.parse(text.toString("utf8"));
  } catch {
    return null;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** OpenAI's error envelope. */
function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: { message, type: "invalid_request_error", param: null, code: null } });
}
