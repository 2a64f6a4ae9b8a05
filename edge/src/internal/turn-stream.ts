import type { AgentTurnStreamLine } from "@switchboard/schema/internal/calls";
import type { AgentTurn } from "../calls/agent-turn.js";
import { ApiError } from "../http/errors.js";

/**
 * The turn endpoint's streamed answer (AGENT_TURN_STREAM_MEDIA_TYPE): the `speech` settings and a `delta` line
 * per piece of the reply's text when there is text to stream, then the `reply`, or an `error` line carrying the status the JSON answer would have had. The turn runs
 * to its end even when the media node goes away, so its state is saved and a retry gets the stored reply.
 */
export function ndjsonTurn(
  turn: AgentTurn,
  onUnexpected: (error: unknown) => void,
): { stream: ReadableStream<Uint8Array>; finished: Promise<void> } {
  const encoder = new TextEncoder();
  let write: (line: AgentTurnStreamLine) => void = () => {};
  let close: () => void = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let open = true;
      write = (line) => {
        if (open) controller.enqueue(encoder.encode(`${JSON.stringify(line)}\n`));
      };
      close = () => {
        if (open) controller.close();
        open = false;
      };
    },
    cancel() {
      write = () => {};
      close = () => {};
    },
  });
  const finished = (async () => {
    try {
      for (let first = true; ; first = false) {
        const next = await turn.answer.next();
        if (next.done) {
          write({ type: "reply", ...next.value });
          break;
        }
        if (first) write({ type: "speech", speech: turn.speech });
        write({ type: "delta", text: next.value });
      }
    } catch (error) {
      const apiError = ApiError.from(error);
      if (apiError.code === "INTERNAL_ERROR") onUnexpected(error);
      write({ type: "error", status: apiError.status, code: apiError.code, message: apiError.message });
    } finally {
      close();
    }
  })();
  return { stream, finished };
}

/** True when the caller asked for the streamed answer. */
export function wantsTurnStream(accept: string | undefined, mediaType: string): boolean {
  return (accept ?? "").split(",").some((entry) => entry.split(";")[0]?.trim().toLowerCase() === mediaType);
}
