import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import type { LanguageModel } from "ai";

export type LlmEndpoint = { baseUrl: string; apiKey: string | undefined };

/** A chat model on any OpenAI-compatible endpoint (base URL up to and including `/v1`). */
export function openAiCompatibleModel(endpoint: LlmEndpoint, modelId: string): LanguageModel {
  const provider = createOpenAICompatible({
    name: "llm",
    baseURL: endpoint.baseUrl.replace(/\/+$/, ""),
    apiKey: endpoint.apiKey,
    includeUsage: true,
  });
  return provider.chatModel(modelId);
}
