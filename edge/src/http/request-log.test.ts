import { describe, expect, it } from "vitest";
import { incomingLine, loggableTarget, outgoingLine } from "./request-log.js";

describe("request log", () => {
  it("logs the path, and the query with secret values masked", () => {
    expect(loggableTarget("http://x/api/campaigns/")).toBe("/api/campaigns/");
    expect(loggableTarget("http://x/api/campaigns?status=running&password=hunter2&limit=5")).toBe(
      "/api/campaigns?status=running&password=***&limit=5",
    );
    expect(loggableTarget("http://x/a?PASSWORD=s3cret&pass%77ord=again&token=t&api_key=k")).toBe(
      "/a?PASSWORD=***&pass%77ord=***&token=***&api_key=***",
    );
  });

  it("writes MiniBotPanel's arrow lines with the request id", () => {
    expect(incomingLine("GET", "/api/campaigns/", "req-1")).toBe("📥 GET /api/campaigns/ [req-1]");
    expect(outgoingLine("GET", "/api/campaigns/", 200, 45, "req-1")).toBe(
      "📤 GET /api/campaigns/ - 200 - 0.045s [req-1]",
    );
  });
});
