import { describe, expect, it } from "vitest";
import type { HubEnvelope } from "./events.js";
import { Fanout, MAX_QUEUED_EVENTS } from "./fanout.js";

const ORG = "00000000-0000-4000-8000-000000000001";
const envelope = (index: number): HubEnvelope => ({
  orgId: ORG,
  message: { type: "activity", activity: { kind: "lead_found", campaignId: null, callId: `${index}`, occurredAt: "" } },
});

/** Reads a subscriber's stream to the end (or its error), as parsed lines without heartbeats. */
async function drain(
  stream: ReadableStream<Uint8Array>,
  until: number,
): Promise<{ lines: HubEnvelope[]; error: unknown }> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const lines = () =>
    text
      .split("\n")
      .filter((line) => line.trim())
      .map((line) => JSON.parse(line) as HubEnvelope);
  try {
    while (lines().length < until) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += decoder.decode(chunk.value, { stream: true });
    }
    return { lines: lines(), error: null };
  } catch (error) {
    return { lines: lines(), error };
  }
}

describe("Fanout", () => {
  it("drops a subscriber that stops reading, while the others get every event in order", async () => {
    const dropped: string[] = [];
    const fanout = new Fanout((topic) => dropped.push(topic));
    const slow = fanout.open("activity", "slow");
    const fast = fanout.open("activity", "fast");
    const total = MAX_QUEUED_EVENTS + 50;
    const reading = drain(fast, total);
    for (let index = 0; index < total; index++) {
      fanout.send("activity", envelope(index));
      // Lets the fast reader keep up, as a network consumer would.
      if (index % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    const received = await reading;
    expect(received.lines.map((line) => line.message.type === "activity" && line.message.activity.callId)).toEqual(
      Array.from({ length: total }, (_, index) => `${index}`),
    );
    expect(dropped).toEqual(["activity"]);
    expect(fanout.stats()).toEqual({ subscribers: 1, topics: { activity: 1 } });
    // The slow one still gets what was queued before it was dropped, then an error.
    const leftovers = await drain(slow, total);
    expect(leftovers.error).toBeInstanceOf(Error);
    expect(leftovers.lines.length).toBeLessThan(total);
  });

  it("sends a topic's events only to that topic's subscribers", async () => {
    const fanout = new Fanout();
    const mine = fanout.open("transcript:a", "1");
    const other = fanout.open("transcript:b", "2");
    fanout.send("transcript:a", envelope(1));
    fanout.close("1");
    fanout.close("2");
    expect((await drain(mine, 10)).lines).toEqual([envelope(1)]);
    expect((await drain(other, 10)).lines).toEqual([]);
    expect(fanout.stats()).toEqual({ subscribers: 0, topics: {} });
  });

  it("forgets a subscriber whose reader cancels", async () => {
    const fanout = new Fanout();
    const stream = fanout.open("activity", "gone");
    expect(fanout.size).toBe(1);
    await stream.cancel();
    expect(fanout.stats()).toEqual({ subscribers: 0, topics: {} });
  });
});
