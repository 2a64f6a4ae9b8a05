import type { Api } from "./api.js";
import { clock, h } from "./dom.js";

/**
 * Transcripts as they are spoken. Every call that reaches the line gets a callTranscript subscription at once
 * (turns come quickly), and its turns are kept here; the panel shows the chosen call's and scrolls with it.
 */

/** `final: false` is a partial transcript: what the recogniser has heard so far; the final turn replaces it. */
export type Turn = {
  callId: string;
  sequence: number;
  speaker: string;
  text: string;
  spokenAt: string;
  final: boolean;
};

const TRANSCRIPT = `subscription ($callId: ID!) {
  callTranscript(callId: $callId) { callId sequence speaker text spokenAt final }
}`;
/**
 * How many transcript streams may be open at once. Each SSE stream (distinct connections mode) holds a connection,
 * and over HTTP/1.1 (wrangler dev) a browser opens at most 6 per host: the console's three feeds plus two
 * transcripts leave one for queries and the start/pause/stop mutations. Over HTTP/2 streams share a connection.
 */
function streamBudget(): number {
  const [navigation] = performance.getEntriesByType("navigation") as PerformanceNavigationTiming[];
  return ["h2", "h3"].includes(navigation?.nextHopProtocol ?? "") ? 12 : 2;
}
/** A finished call's stream stays open this long, for turns published as it hangs up. */
const LINGER_MS = 5_000;

export class Transcripts {
  readonly element: HTMLElement;
  private readonly title: HTMLElement;
  private readonly list: HTMLOListElement;
  private readonly turns = new Map<string, Turn[]>();
  private readonly streams = new Map<string, () => void>();
  private readonly finished = new Set<string>();
  private shown: string | null = null;
  private readonly budget = streamBudget();

  constructor(
    private readonly api: Api,
    private readonly onError: (error: Error) => void,
  ) {
    this.title = h("h3", {}, "Transcript");
    this.list = h("ol", { class: "turns", "data-testid": "transcript" });
    this.element = h(
      "section",
      { class: "panel transcript" },
      this.title,
      this.list,
      h("p", { class: "hint" }, "Click a call to follow it; calls on the line are followed as they are answered."),
    );
  }

  get showing(): string | null {
    return this.shown;
  }

  /**
   * Starts listening to a call (idempotent). When the budget is spent, the stream opened longest ago gives way,
   * except the shown call's: the newest calls on the line are the ones worth hearing.
   */
  listen(callId: string): void {
    if (this.streams.has(callId)) return;
    if (this.streams.size >= this.budget) {
      const oldest = [...this.streams.keys()].find((id) => id !== this.shown);
      if (oldest) this.stop(oldest);
      else return;
    }
    const stop = this.api.subscribe<{ callTranscript: Turn }>(
      TRANSCRIPT,
      { callId },
      ({ callTranscript }) => this.receive(callTranscript),
      this.onError,
    );
    this.streams.set(callId, stop);
  }

  /** The call has ended: stop listening once late turns have had time to arrive. */
  ended(callId: string): void {
    if (this.finished.has(callId)) return;
    this.finished.add(callId);
    setTimeout(() => {
      if (callId !== this.shown) this.stop(callId);
    }, LINGER_MS);
  }

  /** Shows a call's turns: a live call's as they come, an ended one's from its stored transcript. */
  show(callId: string, heading: string, live: boolean): void {
    const previous = this.shown;
    if (previous && previous !== callId && this.finished.has(previous)) this.stop(previous);
    this.shown = callId;
    this.title.textContent = heading;
    this.render(callId, "Waiting for the conversation…");
    if (live) this.listen(callId);
    else void this.loadStored(callId);
  }

  retitle(heading: string): void {
    this.title.textContent = heading;
  }

  closeAll(): void {
    for (const stop of this.streams.values()) stop();
    this.streams.clear();
    this.turns.clear();
    this.finished.clear();
    this.shown = null;
    this.title.textContent = "Transcript";
    this.list.replaceChildren();
  }

  private render(callId: string, emptyText: string): void {
    this.list.replaceChildren(...(this.turns.get(callId) ?? []).map(turnItem));
    if (!this.list.childElementCount) this.list.append(h("li", { class: "empty" }, emptyText));
    this.list.scrollTop = this.list.scrollHeight;
  }

  /** An ended call's transcript, from the MiniBotPanel export (`[time] Speaker: text` lines). */
  private async loadStored(callId: string): Promise<void> {
    try {
      const uuid = atob(callId).replace(/^Call:/, "");
      const stored = await this.api.getJson<{ transcription: string }>(
        `/api/exports/transcript/${encodeURIComponent(uuid)}?format=json`,
      );
      const turns = parseTranscript(callId, stored?.transcription ?? "");
      // What was heard live may have missed the first words; the stored transcript has them all.
      if (turns.length >= (this.turns.get(callId)?.length ?? 0)) this.turns.set(callId, turns);
      if (this.shown === callId) this.render(callId, "No conversation was recorded for this call.");
    } catch (error) {
      this.onError(error as Error);
    }
  }

  private stop(callId: string): void {
    this.streams.get(callId)?.();
    this.streams.delete(callId);
  }

  private receive(turn: Turn): void {
    const turns = this.turns.get(turn.callId) ?? [];
    const index = turns.findIndex((known) => known.sequence === turn.sequence);
    const known = turns[index];
    // A replay, or a partial transcript overtaken by its final turn.
    if (known?.final) return;
    if (known) turns[index] = turn;
    else turns.push(turn);
    turns.sort((a, b) => a.sequence - b.sequence);
    this.turns.set(turn.callId, turns);
    if (turn.callId !== this.shown) return;
    this.list.querySelector(".empty")?.remove();
    const following = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 40;
    const partial = known ? this.list.querySelector(`li[data-sequence="${turn.sequence}"]`) : null;
    if (partial) partial.replaceWith(turnItem(turn));
    else this.list.append(turnItem(turn));
    // Scrolls with the conversation unless the operator scrolled up to read.
    if (following) this.list.scrollTop = this.list.scrollHeight;
  }
}

const STORED_LINE = /^\[(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)\] (Agent|Contact|System): (.*)$/;

function parseTranscript(callId: string, transcription: string): Turn[] {
  return transcription.split("\n").flatMap((line, index) => {
    const match = STORED_LINE.exec(line.trim());
    if (!match) return [];
    const [, day, time, speaker = "", text = ""] = match;
    return [
      { callId, sequence: index, speaker: speaker.toLowerCase(), text, spokenAt: `${day}T${time}Z`, final: true },
    ];
  });
}

function turnItem(turn: Turn): HTMLLIElement {
  const time = clock(turn.spokenAt);
  return h(
    "li",
    { class: `turn speaker-${turn.speaker}${turn.final ? "" : " partial"}`, "data-sequence": turn.sequence },
    h("span", { class: "who" }, turn.speaker, h("small", {}, time)),
    h("span", { class: "text" }, turn.text),
  );
}
