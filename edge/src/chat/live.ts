import type { AppEnv } from "../env.js";
import type { ChatToken } from "../live/events.js";
import { publishLive } from "../live/publish.js";
import { type ChatEngineDeps, streamChatTurn } from "./engine.js";
import { type Conversation, openConversation, type SessionRef } from "./sessions.js";
import type { ChatTurnInput, ChatTurnResult } from "./turn.js";

/** The conversation a session key names, created on first use: a client may subscribe before its first message. */
export function conversationFor(deps: ChatEngineDeps, ref: SessionRef): Promise<Conversation> {
  return openConversation(deps.db, ref);
}

/**
 * One turn whose tokens are fanned out, as the engine writes them, to the conversation's chatReply subscribers
 * (EventHub topic chat:<conversation id>), in order: each is published before the next is read. A last event
 * with `done: true` closes the reply.
 */
export async function runChatTurnLive(
  env: AppEnv,
  deps: ChatEngineDeps,
  input: ChatTurnInput,
): Promise<ChatTurnResult> {
  const conversation = await conversationFor(deps, {
    orgId: input.orgId,
    channel: input.channel,
    sessionKey: input.sessionKey,
    userId: input.userId,
  });
  let sequence = 0;
  const publish = (content: string, done: boolean) => {
    const token: ChatToken = {
      conversationId: conversation.id,
      requestId: input.requestId,
      sequence: sequence++,
      content,
      done,
    };
    return publishLive(env, input.orgId, [{ type: "chat_token", token }]);
  };
  const turn = streamChatTurn(deps, input);
  for (;;) {
    const next = await turn.next();
    if (next.done) {
      await publish("", true);
      return next.value;
    }
    await publish(next.value, false);
  }
}
