import type { AgentTurnResponse, SpeechSettings } from "@switchboard/schema/internal/calls";

/** What can be spoken next of a reply still being written. */
export type ReplyPart =
  /** Complete sentences not said yet; the rest of the reply is still coming. */
  | { kind: "sentences"; text: string; speech: SpeechSettings }
  /** The whole reply is there; `rest` is what remains to say of it (its `say`, minus the sentences said). */
  | { kind: "complete"; reply: AgentTurnResponse; rest: string | null }
  | { kind: "failed" };

/** The end of a sentence: its punctuation (closing quotes included) followed by a space. */
const SENTENCE_END = /[.!?…]+["'»”)\]]*\s+/g;

/**
 * One agent reply as the edge streams it: text deltas, then the whole reply. Answers "what can be said now":
 * the complete sentences not said yet, or the rest once the reply is complete. Transport independent.
 */
export class StreamedReply {
  private text = "";
  private said = "";
  private speech: SpeechSettings | null = null;
  private final: AgentTurnResponse | null | undefined;
  /** After a re-ask, new deltas may not continue what was said: only the complete reply is used. */
  private streaming = true;
  private wake: () => void = () => {};
  private changed = this.nextChange();

  /** What was said so far (for the transcript's latency and the rest's computation). */
  get spoken(): string {
    return this.said;
  }

  setSpeech(speech: SpeechSettings): void {
    this.speech = speech;
  }

  push(delta: string): void {
    if (!this.streaming) return;
    this.text += delta;
    this.notify();
  }

  /** The answer is asked again (after a conflict or a broken stream): its deltas start over. */
  restart(): void {
    this.text = "";
    if (this.said) this.streaming = false;
  }

  finish(reply: AgentTurnResponse | null): void {
    if (this.final !== undefined) return;
    this.final = reply;
    this.notify();
  }

  /**
   * Waits until something can be said. Complete sentences are held `graceMs` in case the whole reply follows
   * right behind (a short reply then stays one answer).
   */
  async next(graceMs: number): Promise<ReplyPart> {
    for (;;) {
      const done = this.completed();
      if (done) return done;
      if (this.readySentences()) {
        await Promise.race([this.changedUntilComplete(), delay(graceMs)]);
        const whole = this.completed();
        if (whole) return whole;
        const ready = this.readySentences();
        if (ready && this.speech) {
          this.said += ready;
          return { kind: "sentences", text: ready.trim(), speech: this.speech };
        }
      }
      await this.changed;
    }
  }

  /** Waits for the whole reply, saying nothing early. */
  async whole(): Promise<Exclude<ReplyPart, { kind: "sentences" }>> {
    await this.changedUntilComplete();
    return this.completed() as Exclude<ReplyPart, { kind: "sentences" }>;
  }

  private completed(): Exclude<ReplyPart, { kind: "sentences" }> | null {
    if (this.final === undefined) return null;
    if (this.final === null) return { kind: "failed" };
    return { kind: "complete", reply: this.final, rest: this.restOf(this.final.say) };
  }

  /** The sentences after what was said, up to the last sentence end in the text so far. */
  private readySentences(): string {
    if (!this.streaming || !this.text.startsWith(this.said)) return "";
    const pending = this.text.slice(this.said.length);
    let end = 0;
    for (const match of pending.matchAll(SENTENCE_END)) end = (match.index ?? 0) + match[0].length;
    const ready = pending.slice(0, end);
    return ready.trim() ? ready : "";
  }

  /** The reply's text minus what was said; all of it when the reply is not what was being said (taken back). */
  private restOf(say: string | null): string | null {
    const said = this.said.trim();
    if (!said) return say;
    const full = say ?? "";
    if (!full.startsWith(said)) return say;
    return full.slice(said.length).trim() || null;
  }

  private async changedUntilComplete(): Promise<void> {
    while (this.final === undefined) await this.changed;
  }

  private notify(): void {
    const wake = this.wake;
    this.changed = this.nextChange();
    wake();
  }

  private nextChange(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
