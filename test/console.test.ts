import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ensureChromium, launchChromium } from "./support/browser.js";
import { startOwnCallChain } from "./support/call-stack.js";
import { createCampaign, createPersonaContacts } from "./support/calls.js";
import { firstRow, useDatabase } from "./support/database.js";
import { globalId } from "./support/subscriptions.js";

/**
 * The operator console at /console, driven in headless Chromium: sign in, pick a campaign, start it, and watch the
 * progress chart and a transcript fill in as the campaign runs on the jambonz emulator. This file runs its own
 * call chain with a slower emulator, so a conversation lasts long enough to be watched as it is spoken.
 */

const database = useDatabase();
const stops: Array<() => Promise<void>> = [];
/** Simulated seconds per real second: an interested contact's call lasts a few seconds. */
const WATCHABLE_SPEED = 10;
const LIVE_TIMEOUT = 90_000;

let edgeUrl = "";
let browser: { context: BrowserContext; close: () => Promise<void> } | undefined;

beforeAll(async () => {
  ensureChromium();
  const chain = await startOwnCallChain({
    databaseUrl: inject("databaseUrl"),
    apiPassword: inject("apiPassword"),
    internalApiSecret: inject("internalApiSecret"),
    stops,
    node: { outboxFile: null, log: () => {} },
    emulatorSpeed: WATCHABLE_SPEED,
  });
  edgeUrl = chain.edgeUrl;
  browser = await launchChromium();
  stops.push(() => browser?.close() ?? Promise.resolve());
}, 600_000);

afterAll(async () => {
  for (const stop of stops.reverse()) await stop().catch((error) => console.error("console test teardown:", error));
});

async function openConsole(): Promise<Page> {
  if (!browser) throw new Error("chromium did not start");
  const page = await browser.context.newPage();
  page.on("pageerror", (error) => console.error("console page error:", error));
  await page.goto(`${edgeUrl}/console`);
  return page;
}

async function signIn(page: Page): Promise<void> {
  await page.fill("[data-testid=login] input[name=email]", inject("demoEmail"));
  await page.fill("[data-testid=login] input[name=password]", inject("demoPassword"));
  await page.click("[data-testid=login] button[type=submit]");
}

const text = (page: Page, selector: string) => page.locator(selector).textContent();

describe("operator console", () => {
  it("is served by the edge at /console, assets included", async () => {
    const redirect = await fetch(`${edgeUrl}/console`, { redirect: "manual" });
    expect(redirect.status).toBe(307);
    expect(redirect.headers.get("location")).toBe("/console/");
    const page = await fetch(`${edgeUrl}/console/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const script = html.match(/src="(\/console\/assets\/[^"]+\.js)"/)?.[1];
    expect(script).toBeDefined();
    const bundle = await fetch(`${edgeUrl}${script}`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get("content-type")).toContain("javascript");
  });

  it("refuses a wrong password and says so", async () => {
    const page = await openConsole();
    await page.fill("[data-testid=login] input[name=email]", inject("demoEmail"));
    await page.fill("[data-testid=login] input[name=password]", "not-the-password");
    await page.click("[data-testid=login] button[type=submit]");
    await page.locator("[data-testid=status].error").waitFor();
    expect(await page.locator("[data-testid=campaign-picker]").count()).toBe(0);
    await page.close();
  });

  it("signs in with an API key", async () => {
    const page = await openConsole();
    await page.fill("[data-testid=api-key] input[name=apiKey]", inject("apiPassword"));
    await page.click("[data-testid=api-key] button[type=submit]");
    await page.locator("[data-testid=campaign-picker]").waitFor();
    expect(await text(page, ".top .who")).toContain("API key");
    await page.close();
  });

  it("signs in, starts a campaign and watches its progress and a transcript live", async () => {
    const contacts = await createPersonaContacts(database(), "81", ["interested", "not_interested"]);
    const number = await createCampaign({
      name: "Console live",
      contact_ids: contacts.map((contact) => contact.number),
      max_concurrent_calls: 2,
      retry_enabled: false,
    });
    const campaignId = (
      await firstRow<{ id: string }>(database(), "select id from campaigns where number = $1", [number])
    ).id;
    const campaignGlobalId = globalId("Campaign", campaignId);

    const page = await openConsole();
    await signIn(page);
    const picker = page.locator("[data-testid=campaign-picker]");
    await picker.locator(`option[value="${campaignGlobalId}"]`).waitFor({ state: "attached" });
    await picker.selectOption(campaignGlobalId);
    await page.locator("[data-testid=calls] tbody tr").nth(1).waitFor();
    expect(await text(page, "[data-testid=campaign-status]")).toBe("pending");
    // The first figures arrive as soon as campaignProgress is subscribed.
    await page.locator("[data-figure=total]", { hasText: "2" }).waitFor();

    await page.click("button[data-action=start]");
    await page.locator("[data-testid=campaign-status]", { hasText: "running" }).waitFor();

    // A transcript scrolls in while the call is on the line.
    const firstTurn = page.locator("[data-testid=transcript] li.turn").first();
    await firstTurn.waitFor({ timeout: LIVE_TIMEOUT });
    const shownWhileLive = await text(page, ".transcript h3");
    expect(shownWhileLive).toMatch(/live$/);

    // Progress reaches the end: both calls completed, drawn as a step line, and the campaign completes.
    await page.locator("[data-figure=completed]", { hasText: "2" }).waitFor({ timeout: LIVE_TIMEOUT });
    await page.locator("[data-testid=campaign-status]", { hasText: "completed" }).waitFor({ timeout: LIVE_TIMEOUT });
    const completedLine = await page.locator("path[data-series=completed]").getAttribute("d");
    expect(completedLine?.match(/V/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
    expect(await text(page, "[data-figure=leads]")).toBe("1");

    // The calls table changed in place: one row per call, each with its final status.
    const statuses = await page
      .locator("[data-testid=calls] tbody tr")
      .evaluateAll((rows) => rows.map((row) => row.getAttribute("data-status")));
    expect(statuses).toEqual(["completed", "completed"]);

    // What the page showed is what was said: every turn it received is a stored turn of this campaign's calls,
    // each partial transcript replaced by its final words.
    expect(await page.locator("[data-testid=transcript] li.turn.partial").count()).toBe(0);
    const shownTurns = await page.locator("[data-testid=transcript] li.turn .text").allTextContents();
    const stored = await database().query<{ text: string }>(
      "select t.text from call_turns t join calls c on c.id = t.call_id where c.campaign_id = $1",
      [campaignId],
    );
    const storedTexts = new Set(stored.rows.map((row) => row.text));
    expect(shownTurns.length).toBeGreaterThan(0);
    for (const turn of shownTurns) expect(storedTexts).toContain(turn);

    // Any ended call's transcript can be read back in full: the lead's row, clicked.
    const lead = contacts.find((contact) => contact.persona === "interested");
    const leadTurns = await database().query<{ text: string }>(
      `select t.text from call_turns t join calls c on c.id = t.call_id join contacts k on k.id = c.contact_id
       where c.campaign_id = $1 and k.phone = $2 order by t.sequence`,
      [campaignId, lead?.phone],
    );
    expect(leadTurns.rows.length).toBeGreaterThan(0);
    await page.locator("[data-testid=calls] tbody tr", { hasText: lead?.phone ?? "?" }).click();
    await page.locator(".transcript h3", { hasText: "completed" }).waitFor();
    await page
      .locator("[data-testid=transcript] li.turn")
      .nth(leadTurns.rows.length - 1)
      .waitFor();
    expect(await page.locator("[data-testid=transcript] li.turn .text").allTextContents()).toEqual(
      leadTurns.rows.map((row) => row.text),
    );

    // The activity feed heard the campaign start.
    await page.locator("[data-testid=activity] li[data-kind=campaign_started]").first().waitFor();
    await page.close();
  }, 240_000);
});
