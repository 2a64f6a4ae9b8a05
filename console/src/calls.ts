import { fill, h } from "./dom.js";

/** The campaign's calls as a table whose rows change in place as callUpdated events arrive. */

export type CallRow = {
  id: string;
  number: number | null;
  contact: string;
  phone: string;
  status: string;
  result: string | null;
  amdResult: string | null;
  durationMs: number | null;
  attempts: number;
};

export type CallChange = Pick<CallRow, "status" | "result" | "amdResult" | "durationMs" | "attempts"> & {
  callId: string;
};

/** Statuses in which a call is on its way to, or on, the line. */
export const ACTIVE_STATUSES = new Set(["calling", "ringing", "in_progress"]);

export class CallsTable {
  readonly element: HTMLElement;
  private readonly body: HTMLTableSectionElement;
  private readonly rows = new Map<string, { data: CallRow; element: HTMLTableRowElement }>();
  private selected: string | null = null;

  constructor(private readonly onPick: (callId: string) => void) {
    this.body = h("tbody");
    const head = h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...["#", "Contact", "Phone", "Status", "Result", "AMD", "Duration", "Tries"].map((t) => h("th", {}, t)),
      ),
    );
    this.element = h("table", { class: "calls", "data-testid": "calls" }, head, this.body);
  }

  load(calls: CallRow[]): void {
    this.rows.clear();
    this.body.replaceChildren();
    for (const call of calls) this.insert(call);
  }

  /** Adds a call from a page of the list, unless a live change already brought it (that row is newer). */
  add(call: CallRow): void {
    const known = this.rows.get(call.id);
    if (!known) {
      this.insert(call);
      return;
    }
    Object.assign(known.data, { number: call.number, contact: call.contact, phone: call.phone });
    this.render(known.data, known.element);
  }

  /** Applies a change; a call this table has not seen yet (beyond the first page) gets a row of its own. */
  update(change: CallChange): CallRow {
    const known = this.rows.get(change.callId);
    if (!known) {
      const data: CallRow = { id: change.callId, number: null, contact: "", phone: "", ...change };
      this.insert(data);
      return data;
    }
    Object.assign(known.data, {
      status: change.status,
      result: change.result,
      amdResult: change.amdResult,
      durationMs: change.durationMs,
      attempts: change.attempts,
    });
    this.render(known.data, known.element);
    known.element.classList.remove("flash");
    // Restarts the highlight animation on every change.
    void known.element.offsetWidth;
    known.element.classList.add("flash");
    return known.data;
  }

  get(callId: string): CallRow | undefined {
    return this.rows.get(callId)?.data;
  }

  select(callId: string | null): void {
    if (this.selected) this.rows.get(this.selected)?.element.classList.remove("selected");
    this.selected = callId;
    if (callId) this.rows.get(callId)?.element.classList.add("selected");
  }

  private insert(call: CallRow): void {
    const element = h("tr", { "data-call-id": call.id, onclick: () => this.onPick(call.id) });
    this.rows.set(call.id, { data: call, element });
    this.render(call, element);
    this.body.append(element);
  }

  private render(call: CallRow, element: HTMLTableRowElement): void {
    element.dataset.status = call.status;
    fill(
      element,
      h("td", {}, call.number ?? ""),
      h("td", {}, call.contact),
      h("td", { class: "mono" }, call.phone),
      h("td", {}, h("span", { class: `badge status-${call.status}` }, call.status.replace("_", " "))),
      h(
        "td",
        {},
        call.result ? h("span", { class: `badge result-${call.result}` }, call.result.replace("_", " ")) : "",
      ),
      h("td", {}, call.amdResult ?? ""),
      h("td", { class: "mono" }, call.durationMs === null ? "" : `${(call.durationMs / 1000).toFixed(1)} s`),
      h("td", {}, call.attempts),
    );
  }
}
