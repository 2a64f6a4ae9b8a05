/** A response body that produces text chunk by chunk, only as fast as the client reads it. */
export type TextStream = {
  stream: ReadableStream<Uint8Array>;
  /** Settles once the stream is done, failed, or cancelled by the client; never rejects. */
  finished: Promise<void>;
};

/**
 * Pulls `chunks` one at a time, on demand. When the client goes away the runtime cancels the
 * stream, which stops the generator (its `finally` blocks run) before `finished` settles, so
 * whatever the generator reads from (a database connection) can be released after it.
 */
export function streamText(chunks: AsyncIterable<string>, onError: (error: unknown) => void = () => {}): TextStream {
  const iterator = chunks[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  let settle: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    settle = resolve;
  });
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          // Skips empty chunks: a pull that enqueues nothing is not called again, and the reader would hang.
          let next = await iterator.next();
          while (!next.done && next.value.length === 0 && !cancelled) next = await iterator.next();
          if (cancelled) return;
          if (next.done) {
            controller.close();
            settle();
          } else {
            controller.enqueue(encoder.encode(next.value));
          }
        } catch (error) {
          if (cancelled) return;
          onError(error);
          controller.error(error);
          settle();
        }
      },
      async cancel() {
        cancelled = true;
        try {
          await iterator.return?.();
        } finally {
          settle();
        }
      },
    },
    // One chunk ahead at most: the next page is fetched while the client reads this one.
    { highWaterMark: 1 },
  );
  return { stream, finished };
}
