import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for an OpenAI-compatible provider: POST /v1/chat/completions, non-streaming and
 * `stream: true` (server-sent `chat.completion.chunk` events, tool calls as `tool_calls` deltas, then
 * `data: [DONE]`), the way api.openai.com answers. Replies come from a scripted queue; every request is
 * recorded so a test can check what the edge sent (system prompt, history, tools, model, temperature).
 */

export type ScriptedToolCall = { name: string; arguments: Record<string, unknown> };
export type ScriptedAnswer = {
  text?: string;
  toolCalls?: ScriptedToolCall[];
  /** Streaming only: after this many words of text, hold the rest back for `pauseMs` (a model still writing). */
  pauseAfterWords?: number;
  pauseMs?: number;
};
export type ScriptedReply = ScriptedAnswer | { status: number; error: string };

export type ChatMessage = { role: string; content: unknown; tool_calls?: unknown };
export type RecordedRequest = {
  headers: Record<string, string | string[] | undefined>;
  body: {
    model: string;
    messages: ChatMessage[];
    stream?: boolean;
    temperature?: number;
    tools?: Array<{ type: string; function: { name: string; description?: string; parameters: unknown } }>;
    stream_options?: { include_usage?: boolean };
    tool_choice?: unknown;
  };
};

export type OpenAiCompatibleServer = {
  /** Base URL including /v1, as LLM_BASE_URL wants it. */
  baseUrl: string;
  requests: RecordedRequest[];
  script(...replies: ScriptedReply[]): void;
  /** The audio API (/v1/audio/transcriptions and /v1/audio/speech): scripted answers, recorded requests. */
  audio: AudioScript;
  stop(): Promise<void>;
};

/**
 * OpenAI's audio endpoints as a provider answers them. A transcription request is multipart (file, model,
 * language, response_format) and gets `verbose_json`; a speech request is JSON and gets the scripted audio bytes.
 */
export type ScriptedTranscription =
  | { text: string; language: string; duration: number }
  | { status: number; error: string };
export type ScriptedSpeech = { audio: Uint8Array; contentType: string } | { status: number; error: string };
export type RecordedAudioRequest = {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Transcriptions: the multipart fields, the file as its bytes. Speech: the JSON body. */
  fields: Record<string, unknown>;
};
export type AudioScript = {
  transcriptions: ScriptedTranscription[];
  speeches: ScriptedSpeech[];
  requests: RecordedAudioRequest[];
};

const CREATED = 1_700_000_000;

export async function startOpenAiCompatibleServer(): Promise<OpenAiCompatibleServer> {
  const queue: ScriptedReply[] = [];
  const requests: RecordedRequest[] = [];
  const audio: AudioScript = { transcriptions: [], speeches: [], requests: [] };
  let sequence = 0;
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith("/v1/audio/")) return void answerAudio(req, res, audio);
    readBody(req).then((text) => {
      if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
        return sendError(res, 404, `no route ${req.method} ${req.url}`);
      }
      const body = JSON.parse(text) as RecordedRequest["body"];
      requests.push({ headers: req.headers, body });
      const reply = queue.shift();
      if (!reply) return sendError(res, 500, "the test scripted no reply for this request");
      if ("status" in reply) return sendError(res, reply.status, reply.error);
      const id = `chatcmpl-${++sequence}`;
      if (body.stream) return void streamReply(res, id, body, reply);
      return sendJson(res, 200, completion(id, body.model, reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    script: (...replies) => queue.push(...replies),
    audio,
    stop: () => new Promise<void>((done) => server.close(() => done())),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** OpenAI's error envelope. */
function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: { message, type: "server_error", param: null, code: null } });
}

const toolCallId = (id: string, index: number) => `call_${id.slice(-4)}_${index}`;

function usage() {
  return { prompt_tokens: 42, completion_tokens: 7, total_tokens: 49 };
}

function finishReason(reply: ScriptedAnswer): string {
  return reply.toolCalls?.length ? "tool_calls" : "stop";
}

function completion(id: string, model: string, reply: ScriptedAnswer) {
  const toolCalls = (reply.toolCalls ?? []).map((call, index) => ({
    id: toolCallId(id, index),
    type: "function",
    function: { name: call.name, arguments: JSON.stringify(call.arguments) },
  }));
  return {
    id,
    object: "chat.completion",
    created: CREATED,
    model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: reply.text ?? null,
          ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: finishReason(reply),
      },
    ],
    usage: usage(),
  };
}

/** Text in word-sized content deltas, each tool call as a header delta then argument fragments. */
async function streamReply(
  res: ServerResponse,
  id: string,
  body: RecordedRequest["body"],
  reply: ScriptedAnswer,
): Promise<void> {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
    id,
    object: "chat.completion.chunk",
    created: CREATED,
    model: body.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });
  const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
  send(chunk({ role: "assistant", content: "" }));
  const words = (reply.text ?? "").match(/\S+\s*/g) ?? [];
  for (const [index, word] of words.entries()) {
    if (index === reply.pauseAfterWords) await new Promise((resolve) => setTimeout(resolve, reply.pauseMs ?? 0));
    send(chunk({ content: word }));
  }
  (reply.toolCalls ?? []).forEach((call, index) => {
    send(
      chunk({
        tool_calls: [
          { index, id: toolCallId(id, index), type: "function", function: { name: call.name, arguments: "" } },
        ],
      }),
    );
    const args = JSON.stringify(call.arguments);
    for (let at = 0; at < args.length; at += 8) {
      send(chunk({ tool_calls: [{ index, function: { arguments: args.slice(at, at + 8) } }] }));
    }
  });
  send(chunk({}, finishReason(reply)));
  if (body.stream_options?.include_usage) {
    send({ id, object: "chat.completion.chunk", created: CREATED, model: body.model, choices: [], usage: usage() });
  }
  res.end("data: [DONE]\n\n");
}

async function answerAudio(req: IncomingMessage, res: ServerResponse, audio: AudioScript): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const request = new Request("http://local", {
    method: "POST",
    headers: { "content-type": String(req.headers["content-type"] ?? "") },
    body,
  });
  if (req.method === "POST" && req.url === "/v1/audio/transcriptions") {
    const form = await request.formData();
    const fields: Record<string, unknown> = {};
    for (const [name, value] of form.entries()) {
      fields[name] = typeof value === "string" ? value : new Uint8Array(await value.arrayBuffer());
    }
    audio.requests.push({ path: req.url, headers: req.headers, fields });
    const reply = audio.transcriptions.shift();
    if (!reply) return sendError(res, 500, "the test scripted no transcription");
    if ("status" in reply) return sendError(res, reply.status, reply.error);
    return sendJson(res, 200, { task: "transcribe", ...reply, segments: [] });
  }
  if (req.method === "POST" && req.url === "/v1/audio/speech") {
    audio.requests.push({ path: req.url, headers: req.headers, fields: JSON.parse(body.toString("utf8")) });
    const reply = audio.speeches.shift();
    if (!reply) return sendError(res, 500, "the test scripted no speech");
    if ("status" in reply) return sendError(res, reply.status, reply.error);
    res.writeHead(200, { "content-type": reply.contentType });
    return void res.end(reply.audio);
  }
  sendError(res, 404, `no route ${req.method} ${req.url}`);
}
