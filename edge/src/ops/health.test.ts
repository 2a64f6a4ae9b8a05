import { describe, expect, it } from "vitest";
import type { Database } from "../db/client.js";
import { checkHealth, type HealthDependencies } from "./health.js";

const MEDIA_NODE = "http://media.internal:8790";

function database(outcome: "ok" | "fails"): () => Database {
  const execute = async () => {
    if (outcome === "fails") throw new Error("password authentication failed for user secret_user");
    return { rows: [{ "?column?": 1 }] };
  };
  return () => ({ execute }) as unknown as Database;
}

/** A fetch that answers by URL; anything else is unreachable. */
function fetcher(routes: Record<string, () => Response>): typeof fetch {
  return (async (input: RequestInfo | URL) => {
    const url = String(input);
    const answer = routes[url];
    if (!answer) throw new TypeError("fetch failed: connect ECONNREFUSED 10.0.0.5");
    return answer();
  }) as typeof fetch;
}

const mediaNodeHealth = (body: unknown) => () => Response.json(body);
const speech = { status: "healthy", asr: "jambonz", tts: "jambonz" };

function deps(overrides: Partial<HealthDependencies>): HealthDependencies {
  return {
    db: database("ok"),
    mediaNodeUrl: MEDIA_NODE,
    fetcher: fetcher({ [`${MEDIA_NODE}/health`]: mediaNodeHealth({ status: "ok", uptime_seconds: 7, speech }) }),
    ...overrides,
  };
}

describe("checkHealth", () => {
  it("is healthy when everything answers, with the LLM not configured", async () => {
    const report = await checkHealth(deps({}));

    expect(report.status).toBe("healthy");
    expect(report.components.database.status).toBe("healthy");
    expect(report.components.telephony).toMatchObject({ status: "healthy", url: MEDIA_NODE, uptime_seconds: 7 });
    expect(report.components.speech).toEqual({ status: "healthy", asr: "jambonz", tts: "jambonz" });
    expect(report.components.llm).toEqual({ status: "not_configured" });
  });

  it("is unhealthy when the database fails, without publishing the driver's message", async () => {
    const failures: string[] = [];
    const report = await checkHealth(deps({ db: database("fails"), logFailure: (name) => failures.push(name) }));

    expect(report.status).toBe("unhealthy");
    expect(report.components.database).toMatchObject({ status: "unhealthy", error: "query failed" });
    expect(JSON.stringify(report)).not.toContain("secret_user");
    expect(failures).toEqual(["database"]);
  });

  it("is unhealthy when the media node is unreachable, and speech is then unknown", async () => {
    const report = await checkHealth(deps({ fetcher: fetcher({}) }));

    expect(report.status).toBe("unhealthy");
    expect(report.components.telephony).toMatchObject({ status: "unhealthy", error: "unreachable" });
    expect(report.components.speech).toEqual({ status: "unknown", error: "media node unreachable" });
    expect(JSON.stringify(report)).not.toContain("10.0.0.5");
  });

  it("is unhealthy when the media node answers an error status", async () => {
    const report = await checkHealth(
      deps({ fetcher: fetcher({ [`${MEDIA_NODE}/health`]: () => new Response("down", { status: 502 }) }) }),
    );
    expect(report.components.telephony).toMatchObject({ status: "unhealthy", error: "HTTP 502" });
    expect(report.status).toBe("unhealthy");
  });

  it("is degraded when the media node reports speech down", async () => {
    const report = await checkHealth(
      deps({
        fetcher: fetcher({
          [`${MEDIA_NODE}/health`]: mediaNodeHealth({ status: "ok", speech: { ...speech, status: "unhealthy" } }),
        }),
      }),
    );
    expect(report.components.speech.status).toBe("unhealthy");
    expect(report.status).toBe("degraded");
  });

  it("probes the LLM's /models when configured, and a failing LLM only degrades", async () => {
    const llm = "https://user:key@llm.internal/v1/";
    const routes = { [`${MEDIA_NODE}/health`]: mediaNodeHealth({ status: "ok", speech }) };

    const up = await checkHealth(
      deps({
        llmBaseUrl: llm,
        fetcher: fetcher({ ...routes, "https://user:key@llm.internal/v1/models": () => Response.json({ data: [] }) }),
      }),
    );
    expect(up.components.llm).toMatchObject({ status: "healthy", url: "https://llm.internal/v1" });
    expect(up.status).toBe("healthy");

    const down = await checkHealth(deps({ llmBaseUrl: llm, fetcher: fetcher(routes) }));
    expect(down.components.llm).toMatchObject({ status: "unhealthy", error: "unreachable" });
    expect(down.status).toBe("degraded");
    expect(JSON.stringify(down)).not.toContain("key@");
  });
});
