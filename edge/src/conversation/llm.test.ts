import { simulateReadableStream } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import { describe, expect, it } from "vitest";
import { type LlmAgentSettings, restoreLlmState, streamLlmTurn } from "./llm.js";

type StreamPart = Record<string, unknown> & { type: string };

const usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 5, text: 5, reasoning: undefined },
};

/** A model whose stream is `parts`, then a finish. */
function modelStreaming(parts: StreamPart[], finishReason = "stop") {
  return new MockLanguageModelV3({
    doStream: async () => ({
      stream: simulateReadableStream({
        chunks: [
          { type: "stream-start", warnings: [] },
          ...parts,
          { type: "finish", finishReason: { unified: finishReason, raw: finishReason }, usage },
        ] as never[],
      }),
    }),
  });
}

function settings(model: LlmAgentSettings["model"]): LlmAgentSettings {
  return { model, systemPrompt: null, temperature: null, language: "fr", transferNumbers: [], voicemailMessage: null };
}

const text = (id: string, ...deltas: string[]): StreamPart[] => [
  { type: "text-start", id },
  ...deltas.map((delta) => ({ type: "text-delta", id, delta })),
  { type: "text-end", id },
];

async function drain(turn: ReturnType<typeof streamLlmTurn>) {
  const deltas: string[] = [];
  for (;;) {
    const next = await turn.next();
    if (next.done) return { deltas, outcome: next.value };
    deltas.push(next.value);
  }
}

describe("the LLM turn, streamed", () => {
  it("yields the text as the model writes it, then the whole reply and the new state", async () => {
    const model = modelStreaming(text("t1", "Bonjour. ", "Que puis-je ", "pour vous ?"));
    const { deltas, outcome } = await drain(
      streamLlmTurn(settings(model), restoreLlmState(null, 1), { kind: "start" }),
    );
    expect(deltas).toEqual(["Bonjour. ", "Que puis-je ", "pour vous ?"]);
    expect(outcome.reply).toMatchObject({ say: "Bonjour. Que puis-je pour vous ?", action: "continue" });
    expect(outcome.state.messages.at(-1)).toEqual({ role: "assistant", content: "Bonjour. Que puis-je pour vous ?" });
  });

  it("ends with the tool's directive after the streamed goodbye", async () => {
    const model = modelStreaming(
      [
        ...text("t1", "Au revoir !"),
        {
          type: "tool-call",
          toolCallId: "c1",
          toolName: "end_call",
          input: JSON.stringify({ reason: "done", result: "lead" }),
        },
      ],
      "tool-calls",
    );
    const { deltas, outcome } = await drain(
      streamLlmTurn(settings(model), restoreLlmState(null, 1), { kind: "utterance", text: "Merci" }),
    );
    expect(deltas).toEqual(["Au revoir !"]);
    expect(outcome.reply).toMatchObject({ say: "Au revoir !", action: "hangup", outcome: "lead" });
    expect(outcome.state).toMatchObject({ ended: true, outcome: "lead" });
  });

  it("falls back to the apology when the stream fails midway, after what it already yielded", async () => {
    const model = modelStreaming([
      ...text("t1", "Nous ouvrons "),
      { type: "error", error: new Error("upstream reset") },
    ]);
    const { deltas, outcome } = await drain(
      streamLlmTurn(settings(model), restoreLlmState(null, 1), { kind: "start" }),
    );
    expect(deltas).toEqual(["Nous ouvrons "]);
    expect(outcome.reply).toMatchObject({ action: "hangup", say: expect.stringContaining("problème technique") });
    expect(String(outcome.error)).toContain("upstream reset");
    expect(outcome.state.messages).toEqual([]);
  });
});
