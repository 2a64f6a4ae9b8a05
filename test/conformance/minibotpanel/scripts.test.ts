import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { rest } from "../../support/http.js";
import { apiKey, campaignAction, createCampaign } from "./data.js";
import { DOC_BASE_URL, runScript, type ScriptRun, scratchRoot, substitute } from "./replay.js";
import { CSV_HEADER, FORMATS } from "./shapes.js";

/**
 * The document's own scripts ("Exemples cURL" and "Client Python simple"), copied verbatim into
 * fixtures/ and run as they are: bash with curl and jq, python3 with requests. The test changes only
 * the lines that name the server and the password, and shortens the waits between polls
 * (`sleep 5` → `sleep 0.2`, `time.sleep(5)` → `time.sleep(0.2)`) so a run takes seconds, not half a minute.
 */

const fixture = (name: string) => readFile(new URL(`./fixtures/${name}`, import.meta.url), "utf8");

let root: Awaited<ReturnType<typeof scratchRoot>>;

beforeAll(async () => {
  root = await scratchRoot();
});
afterAll(() => root?.cleanup());

/** The password goes into bash and Python string literals unescaped: keep it to characters that need none. */
function password(): string {
  const value = inject("apiPassword");
  expect(value, "the test password must not need quoting").toMatch(/^[\w.-]+$/);
  return value;
}

function expectSuccess(run: ScriptRun): void {
  expect(run.exitCode, `exit code; stderr:\n${run.stderr}\nstdout:\n${run.stdout}`).toBe(0);
}

/**
 * The script's output cut at its `echo` lines: each marker with the jq output printed after it, as the
 * JSON values it holds (jq pretty-prints one value per top-level `{`, `[` or scalar line).
 */
function sectionsOf(stdout: string, isMarker: (line: string) => boolean): Array<{ marker: string; values: unknown[] }> {
  const sections: Array<{ marker: string; lines: string[] }> = [];
  for (const line of stdout.split("\n")) {
    if (isMarker(line)) sections.push({ marker: line, lines: [] });
    else sections.at(-1)?.lines.push(line);
  }
  return sections.map(({ marker, lines }) => ({ marker, values: jsonValues(lines) }));
}

function jsonValues(lines: string[]): unknown[] {
  const chunks: string[] = [];
  for (const line of lines) {
    if (line.trim() === "") continue;
    const startsValue = !/^[\s}\]]/.test(line);
    if (startsValue || chunks.length === 0) chunks.push(line);
    else chunks[chunks.length - 1] += `\n${line}`;
  }
  return chunks.map((chunk) => {
    try {
      return JSON.parse(chunk);
    } catch {
      throw new Error(`not JSON in the script's output:\n${chunk}`);
    }
  });
}

async function csvWritten(dir: string, campaignId: number): Promise<string[][]> {
  const text = await readFile(join(dir, `campaign_${campaignId}.csv`), "utf8");
  expect(text.split(/\r?\n/)[0]).toBe(CSV_HEADER);
  return parse(text) as string[][];
}

const percentage = expect.stringMatching(FORMATS.percent);

describe("bash: Créer et lancer une campagne complète", () => {
  it("creates, starts, monitors six times, prints the conversion and writes the CSV", async () => {
    const script = substitute(await fixture("create-and-launch.sh"), [
      { from: 'API_KEY="mypassword"', to: `API_KEY="${password()}"` },
      { from: `BASE_URL="${DOC_BASE_URL}"`, to: `BASE_URL="${inject("edgeUrl")}"` },
      { from: "  sleep 5\n", to: "  sleep 0.2\n" },
    ]);
    const run = await runScript(root.path, "bash", script);
    expectSuccess(run);

    const markers =
      /^(Creating campaign\.\.\.|Campaign created: .*|Starting campaign\.\.\.|Monitoring live stats for 30 seconds\.\.\.|--- Update \d\/6 ---|Final stats:|Exporting CSV\.\.\.|Done!)$/;
    const sections = sectionsOf(run.stdout, (line) => markers.test(line));
    const campaignLine = sections[1]?.marker ?? "";
    expect(campaignLine, run.stdout).toMatch(/^Campaign created: \d+$/);
    const campaignId = Number(campaignLine.split(": ")[1]);

    expect(sections.map((section) => section.marker)).toEqual([
      "Creating campaign...",
      `Campaign created: ${campaignId}`,
      "Starting campaign...",
      "Monitoring live stats for 30 seconds...",
      ...[1, 2, 3, 4, 5, 6].map((index) => `--- Update ${index}/6 ---`),
      "Final stats:",
      "Exporting CSV...",
      "Done!",
    ]);
    const valuesAfter = (marker: string) => sections.find((section) => section.marker === marker)?.values;
    expect(valuesAfter("Starting campaign...")).toEqual([
      { status: "success", message: `Campaign ${campaignId} started`, campaign_id: campaignId },
    ]);
    for (const index of [1, 2, 3, 4, 5, 6]) {
      expect(valuesAfter(`--- Update ${index}/6 ---`)).toEqual([
        { completion: percentage, leads: percentage, not_interested: percentage },
      ]);
    }
    expect(valuesAfter("Final stats:")).toEqual([{ leads: expect.any(Number), rate: percentage }]);

    const [, ...rows] = await csvWritten(run.dir, campaignId);
    expect(rows.map((row) => row[0]).sort()).toEqual(
      ["+33612345678", "+33623456789", "+33634567890", "+33645678901", "+33656789014"].sort(),
    );
  });
});

describe("bash: Monitorer toutes les campagnes actives", () => {
  it("prints name, completed, leads and rate for each running campaign", async () => {
    const running = await createCampaign({ name: "Monitored", contact_ids: [1, 2], scenario: "scenario_test_demo" });
    await campaignAction(running, "start");
    const script = substitute(await fixture("monitor-active.sh"), [
      { from: 'API_KEY="mypassword"', to: `API_KEY="${password()}"` },
      { from: `BASE_URL="${DOC_BASE_URL}"`, to: `BASE_URL="${inject("edgeUrl")}"` },
    ]);
    const run = await runScript(root.path, "bash", script);
    expectSuccess(run);

    const sections = sectionsOf(run.stdout, (line) => /^=== Campaign .* ===$/.test(line));
    expect(sections.length, run.stdout).toBeGreaterThan(0);
    for (const section of sections) {
      expect(section.marker).toMatch(/^=== Campaign \d+ ===$/);
      expect(section.values).toHaveLength(1);
      expect(Object.keys(section.values[0] as object)).toEqual(["name", "completed", "leads", "rate"]);
    }
    const mine = sections.find((section) => section.marker === `=== Campaign ${running} ===`);
    expect(mine, `campaign ${running} missing from:\n${run.stdout}`).toBeDefined();
    // The live body documents `campaign_name`; it also carries `name` so this script prints one.
    expect(mine?.values[0]).toEqual({
      name: "Monitored",
      completed: 0,
      leads: 0,
      rate: "0%",
    });
  });
});

describe("bash: Health check + métriques système", () => {
  it("prints each component's status, then the system figures", async () => {
    const script = substitute(await fixture("health-and-metrics.sh"), [
      { from: `BASE_URL="${DOC_BASE_URL}"`, to: `BASE_URL="${inject("edgeUrl")}"` },
      { from: 'X-API-Key: mypassword"', to: `X-API-Key: ${password()}"` },
    ]);
    const run = await runScript(root.path, "bash", script);
    expectSuccess(run);

    const sections = sectionsOf(run.stdout, (line) => /^=== .* ===$/.test(line));
    expect(sections.map((section) => section.marker)).toEqual(["=== Health Status ===", "=== System Stats ==="]);
    const [health, system] = sections as [(typeof sections)[0], (typeof sections)[0]];
    expect(health.values.length).toBeGreaterThan(0);
    for (const entry of health.values) {
      expect(entry).toEqual({ component: expect.any(String), status: expect.any(String) });
    }
    expect(health.values).toContainEqual({ component: "database", status: "healthy" });
    expect(system.values).toEqual([
      {
        version: "3.0.0",
        uptime: expect.stringMatching(FORMATS.uptime),
        active_campaigns: expect.any(Number),
        active_calls: expect.any(Number),
      },
    ]);
  });
});

describe("python3: Client Python simple", () => {
  it("has the requests module", () => {
    let problem = "";
    try {
      execFileSync("python3", ["-c", "import requests"], { stdio: "pipe" });
    } catch (error) {
      problem = String((error as { stderr?: Buffer }).stderr ?? error);
    }
    expect(problem, "python3 cannot import requests: install it (pip install requests)").toBe("");
  });

  it("creates, starts, polls five times and exports the CSV", async () => {
    const script = substitute(await fixture("minibot_client.py"), [
      { from: `base_url="${DOC_BASE_URL}"`, to: `base_url="${inject("edgeUrl")}"` },
      { from: 'api_key="mypassword"', to: `api_key="${password()}"` },
      { from: "time.sleep(5)", to: "time.sleep(0.2)" },
    ]);
    const run = await runScript(root.path, "python3", script);
    expectSuccess(run);

    const lines = run.stdout.trimEnd().split("\n");
    expect(lines[0], run.stdout).toMatch(/^Campaign created: \d+$/);
    const campaignId = Number(lines[0]?.split(": ")[1]);
    expect(lines).toEqual([
      `Campaign created: ${campaignId}`,
      `Campaign ${campaignId} started`,
      ...[1, 2, 3, 4, 5].map((index) =>
        expect.stringMatching(new RegExp(`^\\[${index}/5\\] Completed: \\d+/5 - Leads: \\d+$`)),
      ),
      `Results exported to campaign_${campaignId}.csv`,
    ]);
    const [, ...rows] = await csvWritten(run.dir, campaignId);
    expect(rows).toHaveLength(5);
    const campaign = await rest("GET", `/api/campaigns/${campaignId}`, { headers: apiKey() });
    expect(campaign.body).toMatchObject({ name: "Test Python API", max_concurrent_calls: 3, status: "running" });
  });
});
