import "./style.css";
import { Api } from "./api.js";
import { CampaignView } from "./campaign-view.js";
import { clock, fill, h } from "./dom.js";
import { describeSession, loadSession, type Session, saveSession } from "./session.js";

/**
 * The operator console: sign in (email and password, or an API key), pick a campaign, watch it live.
 * Everything live arrives over GraphQL subscriptions (SSE); nothing polls.
 */

type CampaignSummary = { id: string; name: string; number: number; status: string };
type ActivityItem = { kind: string; campaignId: string | null; callId: string | null; occurredAt: string };

const CAMPAIGNS = "{ campaigns(first: 100) { edges { node { id name number status } } } }";
const ACTIVITY = "subscription { activity { kind campaignId callId occurredAt } }";
const MAX_ACTIVITY_ITEMS = 50;
const DEMO_SOURCES = `{
  agents(first: 20) { edges { node { id kind } } }
  contacts(first: 5) { edges { node { id } } }
}`;
const CREATE_CAMPAIGN = `mutation ($input: CreateCampaignInput!) {
  createCampaign(input: $input) { ... on Error { message } ... on MutationCreateCampaignSuccess { data { id } } }
}`;

const root = document.querySelector<HTMLElement>("#app");
if (!root) throw new Error("#app is missing");
const app: HTMLElement = root;

const statusLine = h("p", { class: "status", role: "status", "data-testid": "status" });
/** Notices fade after a while; errors stay until the next message. */
const NOTICE_MS = 6_000;
let noticeTimer: ReturnType<typeof setTimeout> | undefined;
function report(message: string, error = false): void {
  clearTimeout(noticeTimer);
  statusLine.textContent = message;
  statusLine.classList.toggle("error", error);
  if (!error && message) noticeTimer = setTimeout(() => report(""), NOTICE_MS);
}

const api = new Api(loadSession(), (session) => {
  saveSession(session);
  if (!session) render();
});

let stopActivity: (() => void) | null = null;

function render(): void {
  stopActivity?.();
  stopActivity = null;
  const session = api.signedIn;
  if (session) void renderConsole(session);
  else renderLogin();
}

function renderLogin(): void {
  const email = h("input", { type: "email", name: "email", placeholder: "demo@switchboard.local", required: true });
  const password = h("input", { type: "password", name: "password", placeholder: "password", required: true });
  const key = h("input", {
    type: "password",
    name: "apiKey",
    placeholder: "sb_live_… or the API password",
    required: true,
  });
  const submit = (work: () => Promise<void>) => async (event: Event) => {
    event.preventDefault();
    report("Signing in…");
    try {
      await work();
      report("");
      render();
    } catch (error) {
      report((error as Error).message, true);
    }
  };
  fill(
    app,
    h(
      "div",
      { class: "login" },
      h("h1", {}, "Switchboard console"),
      h(
        "form",
        { class: "card", "data-testid": "login", onsubmit: submit(() => api.login(email.value, password.value)) },
        h("h2", {}, "Sign in"),
        h("label", {}, "Email", email),
        h("label", {}, "Password", password),
        h("button", { type: "submit" }, "Sign in"),
      ),
      h(
        "form",
        { class: "card", "data-testid": "api-key", onsubmit: submit(() => api.useApiKey(key.value.trim())) },
        h("h2", {}, "Or use an API key"),
        h("label", {}, "API key", key),
        h("button", { type: "submit" }, "Continue"),
      ),
      statusLine,
    ),
  );
}

async function renderConsole(session: Session): Promise<void> {
  const view = new CampaignView(api, report);
  const picker = h("select", { "data-testid": "campaign-picker", "aria-label": "Campaign" });
  const activity = h("ol", { class: "activity", "data-testid": "activity" });
  picker.addEventListener("change", () => {
    if (!picker.value) return view.close();
    view.open(picker.value).catch((error: Error) => report(error.message, true));
  });
  fill(
    app,
    h(
      "header",
      { class: "top" },
      h("h1", {}, "Switchboard console"),
      picker,
      h("button", { type: "button", class: "link", onclick: () => void loadCampaigns(picker) }, "Refresh list"),
      h(
        "button",
        {
          type: "button",
          class: "link",
          "data-testid": "new-demo-campaign",
          onclick: () => void createDemoCampaign(picker),
        },
        "New demo campaign",
      ),
      h("span", { class: "who" }, describeSession(session)),
      h("button", { type: "button", class: "link", onclick: () => api.signOut() }, "Sign out"),
    ),
    statusLine,
    h("div", { class: "layout" }, view.element, h("aside", { class: "panel" }, h("h3", {}, "Activity"), activity)),
  );
  stopActivity = api.subscribe<{ activity: ActivityItem }>(
    ACTIVITY,
    {},
    ({ activity: item }) => {
      activity.prepend(activityItem(item, picker));
      while (activity.childElementCount > MAX_ACTIVITY_ITEMS) activity.lastElementChild?.remove();
      if (item.campaignId) {
        void view.campaignChanged(item.campaignId).catch(() => {});
        if (item.kind.startsWith("campaign_")) void loadCampaigns(picker);
      }
    },
    (error) => report(error.message, true),
  );
  await loadCampaigns(picker);
}

async function loadCampaigns(picker: HTMLSelectElement): Promise<void> {
  try {
    const { campaigns } = await api.request<{ campaigns: { edges: Array<{ node: CampaignSummary }> } }>(CAMPAIGNS);
    const chosen = picker.value;
    fill(
      picker,
      h("option", { value: "" }, "Pick a campaign…"),
      ...campaigns.edges.map(({ node }) =>
        h("option", { value: node.id, selected: node.id === chosen }, `#${node.number} ${node.name} (${node.status})`),
      ),
    );
  } catch (error) {
    report((error as Error).message, true);
  }
}

/**
 * A pending campaign over the organisation's first five contacts with its first voice agent: with `npm start`,
 * the seeded contacts 1–5 each show one outcome on the jambonz emulator.
 */
async function createDemoCampaign(picker: HTMLSelectElement): Promise<void> {
  try {
    const sources = await api.request<{
      agents: { edges: Array<{ node: { id: string; kind: string } }> };
      contacts: { edges: Array<{ node: { id: string } }> };
    }>(DEMO_SOURCES);
    const agent = sources.agents.edges.find(({ node }) => node.kind === "voice")?.node;
    const contactIds = sources.contacts.edges.map(({ node }) => node.id);
    if (!agent || contactIds.length === 0) return report("A demo campaign needs a voice agent and contacts", true);
    const name = `Demo ${clock(new Date())}`;
    const { createCampaign } = await api.request<{ createCampaign: { message?: string; data?: { id: string } } }>(
      CREATE_CAMPAIGN,
      { input: { name, agentId: agent.id, contactIds, maxConcurrentCalls: 3, retryEnabled: false } },
    );
    if (!createCampaign.data) return report(createCampaign.message ?? "Campaign refused", true);
    await loadCampaigns(picker);
    picker.value = createCampaign.data.id;
    picker.dispatchEvent(new Event("change"));
    report(`Created "${name}": press Start to dial it.`);
  } catch (error) {
    report((error as Error).message, true);
  }
}

function activityItem(item: ActivityItem, picker: HTMLSelectElement): HTMLLIElement {
  const campaign = [...picker.options].find((option) => option.value === item.campaignId)?.textContent ?? "";
  return h(
    "li",
    { "data-kind": item.kind },
    h("time", {}, clock(item.occurredAt)),
    h("b", {}, item.kind.replace(/_/g, " ")),
    h("span", {}, campaign.replace(/ \(\w+\)$/, "")),
  );
}

render();
