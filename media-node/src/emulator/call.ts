import { randomBytes, randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { AudioStream } from "./audio.js";
import { type CallbackName, callbackPayloadProblems, type Verb, verbArrayProblems } from "./jambonz-schemas.js";
import type { Persona } from "./personas.js";
import { type Hook, type HookSpec, normalizeHook, sendWebhook } from "./webhooks.js";
import { isWebSocketUrl, WsApp, type WsCommand, type WsRequestType } from "./ws-app.js";

/**
 * One simulated call: SIP progress, the status webhooks, the app's verbs played against a persona, AMD and audio
 * forks. Everything is timers and awaited promises; a call costs nothing while it waits.
 * A ws(s):// call hook makes it a WebSocket API call (ws-app.ts): the same payloads and verbs travel over one
 * socket, hooks that are not http URLs included, and statuses too (jambonz then ignores call_status_hook).
 */

export type CallSettings = {
  accountSid: string;
  webhookSecret: string;
  /** Simulated seconds per real second. */
  speed: number;
  /** Put in every payload as `api_base_url`, like jambonz's JAMBONES_API_BASE_URL. */
  apiBaseUrl: string;
  log: (line: string) => void;
};

export type CallRequest = {
  direction: "outbound" | "inbound";
  from: string;
  to: string;
  callHook: HookSpec;
  callStatusHook?: HookSpec;
  applicationSid?: string;
  /** REST `tag`, sent back as `customerData`. */
  tag?: Record<string, unknown>;
  /** REST `amd` ({actionHook, …}). */
  amd?: { actionHook: HookSpec } & Record<string, unknown>;
  /** REST `timeout`: seconds of ringing before giving up. */
  ringTimeoutSeconds?: number;
  persona: Persona;
};

type CallStatus = "trying" | "ringing" | "early-media" | "in-progress" | "completed" | "failed" | "busy" | "no-answer";
const FINAL_STATUSES = new Set<CallStatus>(["completed", "failed", "busy", "no-answer"]);
type Termination = "caller" | "jambonz";
/** What a verb can do to the rest of the app: nothing, or hand over to a hook's answer. */
type VerbOutcome = { hookResponse: unknown } | undefined;

/** A caller gives up after this long, whatever the app does. */
const MAX_CALL_SECONDS = 600;
/** Simulated time between the end of a prompt and the person's reply. */
const REPLY_DELAY_SECONDS = 0.8;
const DEFAULT_GATHER_TIMEOUT_SECONDS = 15;

export class EmulatedCall {
  readonly sid = randomUUID();
  readonly callId = `${randomBytes(8).toString("hex")}@emulator.jambonz`;
  readonly createdAt = Date.now();
  callStatus: CallStatus = "trying";
  sipStatus = 100;
  sipReason = "Trying";
  answeredAt: number | undefined;
  endedAt: number | undefined;
  duration: number | undefined;
  terminationBy: Termination | undefined;
  customerData: Record<string, unknown> | undefined;

  /** What happened, for `/emulator/calls`. */
  readonly history = {
    statuses: [] as Array<{ call_status: string; sip_status: number; at: string }>,
    verbs: [] as Verb[],
    heard: [] as string[],
    utterances: [] as string[],
    /** Interim transcripts sent to a gather's partialResultHook. */
    partials: [] as string[],
    amd_events: [] as string[],
    audio_streams: [] as Array<{ url: string; frames_sent: number; error?: string }>,
    dialled: [] as unknown[],
    transfer_target: undefined as string | undefined,
    notes: [] as string[],
    errors: [] as string[],
  };

  private readonly baseUrl: string;
  private readonly callHook: Hook;
  private readonly statusHook: Hook | undefined;
  /** The app's socket, for a WebSocket API call. */
  private readonly wsApp: WsApp | undefined;
  private appController: AbortController | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly streams = new Set<AudioStream>();
  /** Stream records still open, so a snapshot can show their live frame count. */
  private readonly liveStreamRecords = new Map<object, AudioStream>();
  private statusChain: Promise<void> = Promise.resolve();
  private repliesGiven = 0;
  private amdStarted = false;
  private recognizerLanguage = "fr-FR";
  private readonly traceId = randomBytes(16).toString("hex");

  constructor(
    readonly request: CallRequest,
    private readonly settings: CallSettings,
  ) {
    this.callHook = normalizeHook(request.callHook);
    this.baseUrl = new URL(this.callHook.url).origin;
    this.wsApp = isWebSocketUrl(this.callHook.url)
      ? new WsApp(this.callHook, {
          callSid: this.sid,
          onCommand: (command) => this.obey(command),
          onError: (message) => this.recordError(message),
        })
      : undefined;
    this.statusHook =
      request.callStatusHook && !this.wsApp ? normalizeHook(request.callStatusHook, this.baseUrl) : undefined;
    this.customerData = request.tag;
  }

  get ended(): boolean {
    return this.endedAt !== undefined;
  }

  /** Everything a test may want to know about the call (`GET /emulator/calls/{sid}`). */
  snapshot(): Record<string, unknown> {
    return {
      call_sid: this.sid,
      direction: this.request.direction,
      from: this.request.from,
      to: this.request.to,
      persona: this.request.persona.name,
      call_status: this.callStatus,
      sip_status: this.sipStatus,
      ended: this.ended,
      duration: this.duration ?? null,
      call_termination_by: this.terminationBy ?? null,
      customerData: this.customerData ?? null,
      created_at: new Date(this.createdAt).toISOString(),
      answered_at: this.answeredAt ? new Date(this.answeredAt).toISOString() : null,
      ended_at: this.endedAt ? new Date(this.endedAt).toISOString() : null,
      ...this.history,
      transfer_target: this.history.transfer_target ?? null,
      audio_streams: this.history.audio_streams.map((record) => ({
        ...record,
        frames_sent: this.liveStreamRecords.get(record)?.framesSent ?? record.frames_sent,
      })),
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Lifecycle

  start(): void {
    if (this.request.direction === "inbound") {
      void this.startInbound();
      return;
    }
    this.updateStatus("trying", 100, "Trying");
    // A provisional response never follows the answer or the end.
    this.after(0.3, () => {
      if (this.callStatus === "trying") this.updateStatus("ringing", 180, "Ringing");
    });
    const { persona } = this.request;
    const ringLimit = this.request.ringTimeoutSeconds ?? 60;
    if (persona.unanswered) {
      const { status, sipStatus, sipReason } = persona.unanswered;
      this.after(Math.min(persona.ringSeconds, ringLimit), () => this.endUnanswered(status, sipStatus, sipReason));
    } else if (persona.ringSeconds > ringLimit) {
      this.after(ringLimit, () => this.endUnanswered("no-answer", 487, "Request Terminated"));
    } else {
      this.after(persona.ringSeconds, () => void this.answerOutbound());
    }
  }

  /** REST `call_status: completed|no-answer`: hang up an answered call, cancel a ringing one. */
  terminate(): void {
    if (this.ended) return;
    if (this.answeredAt === undefined) this.endUnanswered("no-answer", 487, "Request Terminated");
    else this.hangUp("jambonz");
  }

  /** REST `call_hook` update: fetch a new app from the hook and run it in place of the current one. */
  redirectTo(spec: HookSpec): void {
    if (this.ended) return;
    this.appController?.abort();
    const hook = this.resolveHook(spec);
    void this.fetchApp("session-redirect", hook, this.callInfo(), "session:redirect").then((verbs) => {
      if (verbs) void this.runApp(verbs);
    });
  }

  private async answerOutbound(): Promise<void> {
    if (this.ended) return;
    this.markAnswered();
    const verbs = await this.fetchApp("session-new", this.callHook, this.sessionNewPayload(), "session:new");
    if (verbs) void this.runApp(verbs);
  }

  private async startInbound(): Promise<void> {
    this.updateStatus("trying", 100, "Trying");
    const verbs = await this.fetchApp("session-new", this.callHook, this.sessionNewPayload(), "session:new");
    if (!verbs || this.ended) return;
    this.markAnswered();
    void this.runApp(verbs);
  }

  private markAnswered(): void {
    this.answeredAt = Date.now();
    this.updateStatus("in-progress", 200, "OK");
    if (this.request.amd) this.startAmd(this.request.amd.actionHook);
    const { persona } = this.request;
    if (!persona.machine) this.after(MAX_CALL_SECONDS, () => this.hangUp("caller"));
    else this.after(MAX_CALL_SECONDS / 5, () => this.hangUp("caller"));
  }

  private endUnanswered(status: "busy" | "no-answer" | "failed", sipStatus: number, sipReason: string): void {
    if (this.ended) return;
    this.finish();
    this.duration = 0;
    this.updateStatus(status, sipStatus, sipReason);
  }

  hangUp(by: Termination): void {
    if (this.ended) return;
    if (this.answeredAt === undefined) {
      // An inbound call whose app never answered: jambonz rejects the INVITE instead of answering it.
      this.endUnanswered("failed", 480, "Temporarily Unavailable");
      return;
    }
    this.finish();
    this.terminationBy = by;
    this.duration = Math.round(this.simulatedSecondsSince(this.answeredAt));
    // Normal clearing: the end of an answered call carries the answer's 200 OK, as jambonz's CallInfo does.
    this.updateStatus("completed", 200, "OK");
  }

  /** Stops every timer and stream without telling anyone: the emulator is shutting down. */
  dispose(): void {
    if (!this.ended) this.finish();
  }

  private finish(): void {
    this.endedAt = Date.now();
    this.appController?.abort();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const stream of this.streams) stream.stop();
  }

  // ---------------------------------------------------------------------------------------------
  // Payloads (jambonz's CallInfo.toJSON, snake-cased; customerData keeps its name)

  callInfo(): Record<string, unknown> {
    return {
      call_sid: this.sid,
      direction: this.request.direction,
      from: this.request.from,
      to: this.request.to,
      call_id: this.callId,
      sip_status: this.sipStatus,
      sip_reason: this.sipReason,
      call_status: this.callStatus,
      account_sid: this.settings.accountSid,
      trace_id: this.traceId,
      ...(this.request.applicationSid ? { application_sid: this.request.applicationSid } : {}),
      fs_sip_address: "127.0.0.1:5070",
      api_base_url: this.settings.apiBaseUrl,
      ...(this.duration !== undefined ? { duration: this.duration } : {}),
      ...(this.customerData ? { customerData: this.customerData } : {}),
    };
  }

  private sessionNewPayload(): Record<string, unknown> {
    return {
      ...this.callInfo(),
      caller_name: "",
      ...(this.request.direction === "inbound" ? { originating_sip_ip: "127.0.0.1" } : {}),
      defaults: {
        synthesizer: { vendor: "google", language: "fr-FR", voice: "fr-FR-Standard-A" },
        recognizer: { vendor: "google", language: "fr-FR" },
      },
    };
  }

  /** The camelCase call info jambonz puts in an audio fork's first message. */
  private camelCaseCallInfo(): Record<string, unknown> {
    return {
      callSid: this.sid,
      direction: this.request.direction,
      from: this.request.from,
      to: this.request.to,
      callId: this.callId,
      sipStatus: this.sipStatus,
      sipReason: this.sipReason,
      callStatus: this.callStatus,
      accountSid: this.settings.accountSid,
      ...(this.request.applicationSid ? { applicationSid: this.request.applicationSid } : {}),
      ...(this.customerData ? { customerData: this.customerData } : {}),
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Webhooks

  private updateStatus(status: CallStatus, sipStatus: number, sipReason: string): void {
    this.callStatus = status;
    this.sipStatus = sipStatus;
    this.sipReason = sipReason;
    this.history.statuses.push({ call_status: status, sip_status: sipStatus, at: new Date().toISOString() });
    const payload = {
      ...this.callInfo(),
      ...(this.terminationBy && status === "completed" ? { call_termination_by: this.terminationBy } : {}),
    };
    // Statuses go out one at a time, in order, as jambonz sends them; the last one ends a ws app's socket.
    this.statusChain = this.statusChain
      .then(() => this.sendStatus(payload))
      .then(
        () => undefined,
        (error: unknown) => this.recordError(String(error instanceof Error ? error.message : error)),
      )
      .then(() => {
        if (FINAL_STATUSES.has(status)) this.wsApp?.close();
      });
  }

  private async sendStatus(payload: Record<string, unknown>): Promise<void> {
    if (this.wsApp) {
      this.checkPayload("call-status", payload);
      await this.wsApp.notify("call:status", payload);
    } else if (this.statusHook) {
      await this.webhook("call-status", this.statusHook, payload);
    }
  }

  /** A hook as the app named it: over a socket, names stay names (jambonz sends them back as they are). */
  private resolveHook(spec: HookSpec): Hook {
    return this.wsApp ? normalizeHook(spec) : normalizeHook(spec, this.baseUrl);
  }

  /** A ws app gets every hook that is not an http URL over its socket (`wsType`); the rest are webhooks. */
  private deliver(
    kind: CallbackName,
    hook: Hook,
    payload: Record<string, unknown>,
    wsType: WsRequestType,
  ): Promise<unknown> {
    if (this.wsApp && !/^https?:/i.test(hook.url)) {
      this.checkPayload(kind, payload);
      return this.wsApp.request(wsType, wsType === "session:new" ? undefined : hook.url, payload);
    }
    return this.webhook(kind, hook, payload);
  }

  private webhook(kind: CallbackName, hook: Hook, payload: Record<string, unknown>): Promise<unknown> {
    return sendWebhook({
      kind,
      hook,
      payload,
      secret: this.settings.webhookSecret,
      onInvalidPayload: (problems) => this.reportInvalidPayload(kind, problems),
    });
  }

  private checkPayload(kind: CallbackName, payload: Record<string, unknown>): void {
    const problems = callbackPayloadProblems(kind, payload);
    if (problems.length > 0) this.reportInvalidPayload(kind, problems);
  }

  private reportInvalidPayload(kind: CallbackName, problems: string[]): void {
    this.recordError(`emulator sent an invalid ${kind} payload: ${problems.join("; ")}`);
  }

  /** Commands a ws app sends on its own: a new app now (`redirect`), or the end of the call. */
  private obey({ command, data }: WsCommand): void {
    if (this.ended) return;
    if (command === "redirect") this.replaceApp(data, "command redirect");
    else if (command === "call:status" && (data as { call_status?: unknown })?.call_status === "completed") {
      this.hangUp("jambonz");
    } else this.history.notes.push(`command ${command} accepted, not simulated`);
  }

  /** Fetches an app (verb array) from a hook; on failure or invalid verbs jambonz ends the call, and so do we. */
  private async fetchApp(
    kind: CallbackName,
    hook: Hook,
    payload: Record<string, unknown>,
    wsType: WsRequestType,
  ): Promise<Verb[] | undefined> {
    let response: unknown;
    try {
      response = await this.deliver(kind, hook, payload, wsType);
    } catch (error) {
      this.hookFailed(error);
      return undefined;
    }
    return this.acceptVerbs(response, hook.url);
  }

  private acceptVerbs(response: unknown, source: string): Verb[] | undefined {
    const problems = verbArrayProblems(response);
    if (problems.length === 0) return response as Verb[];
    this.recordError(`invalid verbs from ${source}: ${problems.join("; ")}`);
    this.hangUp("jambonz");
    return undefined;
  }

  /** An actionHook's answer: an array replaces the rest of the app ([] ends it); anything else continues. */
  private async callActionHook(
    kind: CallbackName,
    spec: HookSpec,
    extra: Record<string, unknown>,
  ): Promise<VerbOutcome> {
    const hook = this.resolveHook(spec);
    try {
      const response = await this.deliver(kind, hook, { ...this.callInfo(), ...extra }, "verb:hook");
      return Array.isArray(response) ? { hookResponse: response } : undefined;
    } catch (error) {
      this.hookFailed(error);
      return undefined;
    }
  }

  /** jambonz ends a call whose hook failed; a hook still in flight when the call ended is simply dropped. */
  private hookFailed(error: unknown): void {
    if (this.ended) return;
    this.recordError(error instanceof Error ? error.message : String(error));
    this.hangUp("jambonz");
  }

  recordError(message: string): void {
    this.history.errors.push(message);
    this.settings.log(`call ${this.sid}: ${message}`);
  }

  // ---------------------------------------------------------------------------------------------
  // Verbs

  private async runApp(verbs: Verb[]): Promise<void> {
    this.appController?.abort();
    const controller = new AbortController();
    this.appController = controller;
    for (const verb of verbs) {
      if (controller.signal.aborted || this.ended) return;
      this.history.verbs.push(verb);
      let outcome: VerbOutcome;
      try {
        outcome = await this.execute(verb, controller.signal);
      } catch (error) {
        if (controller.signal.aborted) return;
        this.recordError(`verb ${verb.verb} failed: ${error instanceof Error ? error.message : error}`);
        this.hangUp("jambonz");
        return;
      }
      if (controller.signal.aborted || this.ended) return;
      if (outcome) {
        this.replaceApp(outcome.hookResponse, "actionHook");
        return;
      }
    }
    // Like jambonz: an app that runs out of verbs ends the call.
    if (!controller.signal.aborted && !this.ended) this.hangUp("jambonz");
  }

  private replaceApp(response: unknown, source: string): void {
    if (Array.isArray(response) && response.length === 0) {
      this.hangUp("jambonz");
      return;
    }
    const verbs = this.acceptVerbs(response, source);
    if (verbs) void this.runApp(verbs);
  }

  private async execute(verb: Verb, signal: AbortSignal): Promise<VerbOutcome> {
    switch (verb.verb) {
      case "say":
        await this.say(verb, signal);
        return undefined;
      case "play":
        this.history.heard.push(`[play ${String(verb.url)}]`);
        await this.wait(Number(verb.timeoutSecs ?? 2), signal);
        return undefined;
      case "pause":
        await this.wait(Number(verb.length), signal);
        return undefined;
      case "config":
        this.applyConfig(verb);
        return undefined;
      case "gather":
        return this.gather(verb, signal);
      case "listen":
      case "stream":
        return this.listen(verb, signal);
      case "hangup":
        this.hangUp("jambonz");
        return undefined;
      case "sip:refer":
        return this.refer(verb);
      case "dial":
        return this.dial(verb, signal);
      case "redirect":
        return this.callActionHook("session-redirect", verb.actionHook as HookSpec, {});
      case "tag":
        this.customerData = verb.data as Record<string, unknown>;
        return undefined;
      case "answer":
      case "alert":
      case "dtmf":
        return undefined;
      default:
        this.history.notes.push(`verb ${verb.verb} is valid but not simulated; skipped`);
        return undefined;
    }
  }

  private async say(verb: Verb, signal: AbortSignal): Promise<void> {
    const text = sayText(verb.text);
    this.history.heard.push(text);
    await this.wait(speechSeconds(text), signal);
  }

  private applyConfig(verb: Verb): void {
    const recognizer = verb.recognizer as { language?: string } | undefined;
    if (recognizer?.language) this.recognizerLanguage = recognizer.language;
    const amd = verb.amd as { actionHook: HookSpec } | undefined;
    if (amd?.actionHook) this.startAmd(amd.actionHook);
    for (const key of ["listen", "stream"] as const) {
      const fork = verb[key] as ({ enable?: boolean; url?: string } & Record<string, unknown>) | undefined;
      if (fork?.enable === false) this.stopStreams();
      else if (fork?.url) this.openStream(fork);
    }
  }

  private async gather(verb: Verb, signal: AbortSignal): Promise<VerbOutcome> {
    const input = Array.isArray(verb.input) ? (verb.input as string[]) : ["digits"];
    const reply = this.nextReply(input);
    const prompt = (verb.say ?? verb.play) as Verb | undefined;
    if (prompt) {
      const text = verb.say ? sayText((prompt as Verb).text) : `[play ${String(prompt.url)}]`;
      const promptSeconds = verb.say ? speechSeconds(text) : 2;
      const interrupt = reply !== undefined && verb.bargein === true && this.request.persona.interrupts;
      this.history.heard.push(interrupt ? `${text} [interrupted]` : text);
      await this.wait(interrupt ? promptSeconds / 2 : promptSeconds, signal);
    }
    const timeoutSeconds = Number(verb.timeout ?? DEFAULT_GATHER_TIMEOUT_SECONDS);
    const partialHook = verb.partialResultHook as HookSpec | undefined;
    if (reply && "speech" in reply && partialHook) await this.speakWithPartials(reply.speech, partialHook, signal);
    else await this.wait(reply ? REPLY_DELAY_SECONDS : timeoutSeconds, signal);

    const result = reply ? this.replyPayload(reply) : { reason: "timeout" };
    if (reply) this.noteReplyGiven(reply);
    if (!verb.actionHook) return undefined;
    return this.callActionHook("gather", verb.actionHook as HookSpec, result);
  }

  /** The contact speaking, with the recogniser's interim result halfway through: the words heard so far. */
  private async speakWithPartials(utterance: string, hook: HookSpec, signal: AbortSignal): Promise<void> {
    const words = utterance.split(/\s+/);
    await this.wait(REPLY_DELAY_SECONDS / 2, signal);
    if (words.length > 1) this.sendPartial(hook, words.slice(0, Math.ceil(words.length / 2)).join(" "));
    await this.wait(REPLY_DELAY_SECONDS / 2, signal);
  }

  /** Informational, as in jambonz: the answer is ignored and a failure does not touch the call. */
  private sendPartial(spec: HookSpec, transcript: string): void {
    const speech = {
      language_code: this.recognizerLanguage,
      channel_tag: 1,
      is_final: false,
      alternatives: [{ transcript, confidence: 0.6 }],
    };
    const payload = { ...this.callInfo(), speech };
    this.history.partials.push(transcript);
    this.deliver("gather-partial", this.resolveHook(spec), payload, "verb:hook").catch(() => undefined);
  }

  private nextReply(input: string[]): { speech: string } | { digits: string } | undefined {
    const { persona } = this.request;
    if (input.includes("speech")) {
      const utterance = persona.utterances[Math.min(this.repliesGiven, persona.utterances.length - 1)];
      if (utterance !== undefined && (persona.machine ? this.repliesGiven === 0 : true)) return { speech: utterance };
    }
    if (input.includes("digits") && persona.digits) return { digits: persona.digits };
    return undefined;
  }

  private replyPayload(reply: { speech: string } | { digits: string }): Record<string, unknown> {
    if ("digits" in reply) return { reason: "dtmfDetected", digits: reply.digits };
    return {
      reason: "speechDetected",
      speech: {
        language_code: this.recognizerLanguage,
        channel_tag: 1,
        is_final: true,
        alternatives: [{ transcript: reply.speech, confidence: 0.92 }],
      },
    };
  }

  private noteReplyGiven(reply: { speech: string } | { digits: string }): void {
    this.repliesGiven += 1;
    this.history.utterances.push("speech" in reply ? reply.speech : `[dtmf ${reply.digits}]`);
    const limit = this.request.persona.hangsUpAfterReplies;
    if (limit !== undefined && this.repliesGiven >= limit) this.after(2, () => this.hangUp("caller"));
  }

  private async listen(verb: Verb, signal: AbortSignal): Promise<VerbOutcome> {
    const stream = this.openStream(verb);
    const started = Date.now();
    await new Promise<void>((resolve) => {
      const done = () => resolve();
      signal.addEventListener("abort", done, { once: true });
      stream.closed.then(done);
      if (verb.maxLength) {
        void this.wait(Number(verb.maxLength), signal).then(done, done);
      }
    });
    stream.stream.stop();
    if (signal.aborted || this.ended || !verb.actionHook) return undefined;
    const seconds = Math.round(this.simulatedSecondsSince(started));
    return this.callActionHook("listen", verb.actionHook as HookSpec, { dial_call_duration: seconds });
  }

  private openStream(options: Record<string, unknown>): { stream: AudioStream; closed: Promise<void> } {
    const url = normalizeHook(String(options.url), this.baseUrl).url.replace(/^http/, "ws");
    const record: { url: string; frames_sent: number; error?: string } = { url, frames_sent: 0 };
    this.history.audio_streams.push(record);
    let markClosed: () => void = () => {};
    const closed = new Promise<void>((resolve) => {
      markClosed = resolve;
    });
    const sampleRate = Number(options.sampleRate ?? 8000);
    const mixType = String(options.mixType ?? "mono");
    const metadata = {
      sampleRate,
      mixType,
      ...this.camelCaseCallInfo(),
      ...((options.metadata as Record<string, unknown> | undefined) ?? {}),
    };
    const stream: AudioStream = new AudioStream({
      url,
      sampleRate,
      mixType,
      metadata,
      onClose: (framesSent, error) => {
        record.frames_sent = framesSent;
        if (error) {
          record.error = error;
          this.recordError(`audio stream ${url}: ${error}`);
        }
        this.streams.delete(stream);
        this.liveStreamRecords.delete(record);
        markClosed();
      },
    });
    this.streams.add(stream);
    this.liveStreamRecords.set(record, stream);
    return { stream, closed };
  }

  private stopStreams(): void {
    for (const stream of this.streams) stream.stop();
  }

  private async refer(verb: Verb): Promise<VerbOutcome> {
    this.history.transfer_target = String(verb.referTo);
    if (verb.actionHook) {
      await this.callActionHook("sip-refer", verb.actionHook as HookSpec, {
        refer_status: 202,
        final_referred_call_status: 200,
      });
    }
    // The far end takes the call over; for us (and jambonz) this leg is done.
    this.hangUp("jambonz");
    return undefined;
  }

  private async dial(verb: Verb, signal: AbortSignal): Promise<VerbOutcome> {
    this.history.dialled.push(verb.target);
    const seconds = 5;
    await this.wait(seconds, signal);
    if (!verb.actionHook) return undefined;
    return this.callActionHook("dial", verb.actionHook as HookSpec, {
      dial_call_status: "completed",
      dial_sip_status: 200,
      dial_call_sid: randomUUID(),
      dial_call_duration: seconds,
    });
  }

  // ---------------------------------------------------------------------------------------------
  // AMD: what jambonz's amd-utils would conclude about this persona, on its default timers.

  private startAmd(spec: HookSpec): void {
    if (this.amdStarted || this.ended) return;
    this.amdStarted = true;
    const { persona } = this.request;
    const language = this.recognizerLanguage;
    if (persona.machine && persona.greeting) {
      this.after(3, () =>
        this.amdEvent(spec, {
          type: "amd_machine_detected",
          reason: "long greeting",
          greeting: persona.greeting,
          language,
        }),
      );
      const greetingEnds = 3 + speechSeconds(persona.greeting);
      this.after(greetingEnds, () => this.amdEvent(spec, { type: "amd_tone_detected", frequency: 1000, variance: 12 }));
      this.after(greetingEnds + 1, () => this.amdEvent(spec, { type: "amd_machine_stopped_speaking" }));
    } else if (persona.greeting) {
      this.after(1.5, () =>
        this.amdEvent(spec, {
          type: "amd_human_detected",
          reason: "short greeting",
          greeting: persona.greeting,
          language,
        }),
      );
    } else {
      this.after(5, () => this.amdEvent(spec, { type: "amd_no_speech_detected" }));
    }
  }

  /** An AMD answer that is a non-empty verb array interrupts the app and replaces it. */
  private amdEvent(spec: HookSpec, event: Record<string, unknown> & { type: string }): void {
    this.history.amd_events.push(event.type);
    const hook = this.resolveHook(spec);
    this.deliver("amd", hook, { ...this.callInfo(), ...event }, "verb:hook").then(
      (response) => {
        if (this.ended || !Array.isArray(response) || response.length === 0) return;
        this.replaceApp(response, `amd ${hook.url}`);
      },
      (error: unknown) => {
        if (!this.ended) this.recordError(error instanceof Error ? error.message : String(error));
      },
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Simulated time

  private realMs(simulatedSeconds: number): number {
    return Math.max(0, (simulatedSeconds * 1000) / this.settings.speed);
  }

  private simulatedSecondsSince(realStart: number): number {
    return ((Date.now() - realStart) / 1000) * this.settings.speed;
  }

  private after(simulatedSeconds: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, this.realMs(simulatedSeconds));
    this.timers.add(timer);
  }

  /** Waits simulated time; rejects (AbortError) when the app is replaced or the call ends. */
  private wait(simulatedSeconds: number, signal: AbortSignal): Promise<void> {
    return sleep(this.realMs(Number.isFinite(simulatedSeconds) ? simulatedSeconds : 0), undefined, { signal });
  }
}

function sayText(text: unknown): string {
  if (Array.isArray(text)) return String(text[0] ?? "");
  return String(text ?? "");
}

/** About 15 characters a second, as a TTS voice speaks French. */
export function speechSeconds(text: string): number {
  return Math.max(0.5, text.length / 15);
}
