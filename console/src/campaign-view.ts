import type { Api } from "./api.js";
import { ACTIVE_STATUSES, type CallChange, type CallRow, CallsTable } from "./calls.js";
import { ProgressChart } from "./chart.js";
import { clock, fill, h } from "./dom.js";
import { Transcripts } from "./transcript.js";

/**
 * One campaign, live: figures and chart from campaignProgress, the calls table from callUpdated, transcripts from
 * callTranscript, and the start/pause/stop control (the campaign mutations). Opening another campaign closes every
 * stream of the previous one.
 */

type Stats = {
  total: number;
  completed: number;
  inProgress: number;
  pending: number;
  leadRate: number | null;
  eta: string | null;
  results: { leads: number };
};
type CampaignDetail = { id: string; name: string; status: string };
type CallsPage = {
  calls: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ node: CallNode }> };
};
type CallNode = Omit<CallRow, "contact" | "phone"> & {
  toNumber: string;
  contact: { firstName: string | null; lastName: string | null } | null;
};

const STATS_FIELDS = "total completed inProgress pending leadRate eta results { leads }";
const CAMPAIGN = "query ($id: ID!) { node(id: $id) { ... on Campaign { id name status } } }";
/** Pages stay under the API's query cost limit (graphql-armor): about 30 calls with their contacts per request. */
const CALLS_PAGE = `query ($id: ID!, $after: String) {
  node(id: $id) { ... on Campaign {
    calls(first: 30, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node { id number status result amdResult durationMs attempts toNumber contact { firstName lastName } } }
    }
  } }
}`;
/** The table shows this many calls up front; later ones appear as soon as they change. */
const MAX_LISTED_CALLS = 300;
const STATUS = "query ($id: ID!) { node(id: $id) { ... on Campaign { status } } }";
const PROGRESS = `subscription ($campaignId: ID!) { campaignProgress(campaignId: $campaignId) { ${STATS_FIELDS} } }`;
const CALL_UPDATED = `subscription ($campaignId: ID!) {
  callUpdated(campaignId: $campaignId) { callId status result amdResult durationMs attempts }
}`;

/** Which actions each status allows, as the campaign state machine does. */
const ACTIONS: Record<string, Array<"start" | "resume" | "pause" | "stop">> = {
  pending: ["start"],
  running: ["pause", "stop"],
  paused: ["resume", "stop"],
};
const FINAL_CALL_STATUSES = new Set(["completed", "failed", "no_answer", "busy", "cancelled"]);

export class CampaignView {
  readonly element: HTMLElement;
  private readonly heading = h("h2", {}, "");
  private readonly body: HTMLElement;
  private readonly placeholder = h(
    "p",
    { class: "placeholder" },
    "Pick a campaign above (or create a demo one) to watch it live.",
  );
  private readonly statusBadge = h("span", { class: "badge", "data-testid": "campaign-status" }, "");
  private readonly controls = h("div", { class: "controls" });
  private readonly figures = h("dl", { class: "figures", "data-testid": "figures" });
  private readonly chart = new ProgressChart();
  private readonly calls: CallsTable;
  private readonly transcripts: Transcripts;
  private campaignId: string | null = null;
  private status = "";
  /** The operator chose a call: stop switching the transcript to newly answered ones. */
  private pinned = false;
  private streams: Array<() => void> = [];

  constructor(
    private readonly api: Api,
    private readonly report: (message: string, error?: boolean) => void,
  ) {
    this.calls = new CallsTable((callId) => {
      this.pinned = true;
      this.showCall(callId);
    });
    this.transcripts = new Transcripts(api, (error) => report(error.message, true));
    this.body = h(
      "div",
      { hidden: true },
      h("header", { class: "campaign-head" }, this.heading, this.statusBadge, this.controls),
      this.figures,
      h(
        "div",
        { class: "grid" },
        h("section", { class: "panel" }, h("h3", {}, "Progress"), this.chart.element),
        this.transcripts.element,
        h(
          "section",
          { class: "panel calls-panel" },
          h("h3", {}, "Calls"),
          h("div", { class: "scroll" }, this.calls.element),
        ),
      ),
    );
    this.element = h("main", { class: "campaign" }, this.placeholder, this.body);
  }

  async open(campaignId: string): Promise<void> {
    this.close();
    this.campaignId = campaignId;
    const { node } = await this.api.request<{ node: CampaignDetail | null }>(CAMPAIGN, { id: campaignId });
    if (!node || this.campaignId !== campaignId) return;
    this.body.hidden = false;
    this.placeholder.hidden = true;
    this.heading.textContent = node.name;
    this.setStatus(node.status);
    this.calls.load([]);
    const onError = (error: Error) => this.report(error.message, true);
    this.streams.push(
      this.api.subscribe<{ campaignProgress: Stats }>(
        PROGRESS,
        { campaignId },
        ({ campaignProgress }) => this.progress(campaignProgress),
        onError,
      ),
      this.api.subscribe<{ callUpdated: CallChange }>(
        CALL_UPDATED,
        { campaignId },
        ({ callUpdated }) => this.callChanged(callUpdated),
        onError,
      ),
    );
    await this.loadCalls(campaignId);
  }

  /** The campaign's calls, page by page; changes that arrive meanwhile win over the page's older figures. */
  private async loadCalls(campaignId: string): Promise<void> {
    let after: string | null = null;
    let listed = 0;
    do {
      const { node }: { node: CallsPage | null } = await this.api.request(CALLS_PAGE, { id: campaignId, after });
      if (!node || this.campaignId !== campaignId) return;
      for (const { node: call } of node.calls.edges) {
        this.calls.add(toRow(call));
        if (ACTIVE_STATUSES.has(call.status)) this.transcripts.listen(call.id);
      }
      listed += node.calls.edges.length;
      after = node.calls.pageInfo.hasNextPage ? node.calls.pageInfo.endCursor : null;
    } while (after && listed < MAX_LISTED_CALLS);
  }

  close(): void {
    for (const stop of this.streams) stop();
    this.streams = [];
    this.transcripts.closeAll();
    this.chart.reset();
    this.pinned = false;
    this.campaignId = null;
    this.body.hidden = true;
    this.placeholder.hidden = false;
  }

  /** An activity item about this campaign: its status may have moved (started, paused, completed…). */
  async campaignChanged(campaignId: string): Promise<void> {
    if (campaignId !== this.campaignId) return;
    const { node } = await this.api.request<{ node: { status: string } | null }>(STATUS, { id: campaignId });
    if (node && campaignId === this.campaignId) this.setStatus(node.status);
  }

  private progress(stats: Stats): void {
    this.chart.add({
      at: Date.now(),
      total: stats.total,
      completed: stats.completed,
      inProgress: stats.inProgress,
      leads: stats.results.leads,
    });
    const figure = (label: string, value: string | number, key: string) =>
      h("div", { class: "figure" }, h("dt", {}, label), h("dd", { "data-figure": key }, value));
    fill(
      this.figures,
      figure("Total", stats.total, "total"),
      figure("Pending", stats.pending, "pending"),
      figure("On the line", stats.inProgress, "inProgress"),
      figure("Completed", stats.completed, "completed"),
      figure("Leads", stats.results.leads, "leads"),
      figure("Lead rate", stats.leadRate === null ? "–" : `${Math.round(stats.leadRate * 100)} %`, "leadRate"),
      figure("ETA", stats.eta ? clock(stats.eta) : "–", "eta"),
    );
  }

  private callChanged(change: CallChange): void {
    const call = this.calls.update(change);
    if (ACTIVE_STATUSES.has(change.status)) this.transcripts.listen(change.callId);
    if (FINAL_CALL_STATUSES.has(change.status)) this.transcripts.ended(change.callId);
    const shown = this.transcripts.showing ? this.calls.get(this.transcripts.showing) : undefined;
    const shownIsLive = shown !== undefined && ACTIVE_STATUSES.has(shown.status);
    // Follows the conversation most recently answered, unless the operator picked a call.
    if (
      !this.pinned &&
      ACTIVE_STATUSES.has(call.status) &&
      (!shown || (!shownIsLive && call.status === "in_progress"))
    ) {
      this.showCall(call.id);
    } else if (shown?.id === call.id) {
      this.showCall(call.id);
    }
  }

  private showCall(callId: string): void {
    const call = this.calls.get(callId);
    const who = call?.contact || call?.phone || "call";
    const live = call !== undefined && ACTIVE_STATUSES.has(call.status);
    const heading = `Transcript · ${who} · ${live ? "live" : (call?.status.replace("_", " ") ?? "")}`;
    if (this.transcripts.showing === callId) this.transcripts.retitle(heading);
    else this.transcripts.show(callId, heading, live);
    this.calls.select(callId);
  }

  private setStatus(status: string): void {
    this.status = status;
    this.statusBadge.textContent = status;
    this.statusBadge.className = `badge campaign-${status}`;
    const labels = { start: "Start", resume: "Resume", pause: "Pause", stop: "Stop" } as const;
    fill(
      this.controls,
      ...(ACTIONS[status] ?? []).map((action) =>
        h(
          "button",
          { type: "button", class: `action ${action}`, "data-action": action, onclick: () => void this.act(action) },
          labels[action],
        ),
      ),
    );
  }

  private async act(action: "start" | "resume" | "pause" | "stop"): Promise<void> {
    const id = this.campaignId;
    if (!id) return;
    for (const button of this.controls.querySelectorAll("button")) button.disabled = true;
    const field = `${action}Campaign`;
    const success = `Mutation${action[0]?.toUpperCase()}${action.slice(1)}CampaignSuccess`;
    try {
      const result = await this.api.request<Record<string, { message?: string; data?: { status: string } }>>(
        `mutation ($id: ID!) { ${field}(id: $id) { ... on Error { message } ... on ${success} { data { status } } } }`,
        { id },
      );
      const outcome = result[field];
      if (outcome?.data) {
        this.report(`${action}: campaign is ${outcome.data.status}`);
        if (id === this.campaignId) this.setStatus(outcome.data.status);
      } else {
        this.report(outcome?.message ?? `${action} refused`, true);
        this.setStatus(this.status);
      }
    } catch (error) {
      this.report((error as Error).message, true);
      this.setStatus(this.status);
    }
  }
}

function toRow(call: CallNode): CallRow {
  const name = [call.contact?.firstName, call.contact?.lastName].filter(Boolean).join(" ");
  return {
    id: call.id,
    number: call.number,
    contact: name,
    phone: call.toNumber,
    status: call.status,
    result: call.result,
    amdResult: call.amdResult,
    durationMs: call.durationMs,
    attempts: call.attempts,
  };
}
