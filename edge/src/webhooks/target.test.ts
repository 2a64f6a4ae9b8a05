import { describe, expect, it } from "vitest";
import { checkWebhookTarget, parseAllowList } from "./target.js";

const none = parseAllowList(undefined);

describe("webhook target (SSRF) check", () => {
  it.each([
    "http://127.0.0.1/hook",
    "http://127.1.2.3:8080/hook",
    "http://0.0.0.0/",
    "http://10.1.2.3/",
    "http://172.16.0.1/",
    "http://172.31.255.255/",
    "http://192.168.1.10/",
    "http://169.254.169.254/latest/meta-data",
    "http://[::1]/",
    "http://[::]/",
    "http://[fc00::1]/",
    "http://[fd12:3456::1]/",
    "http://[fe80::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:10.0.0.1]/",
    "http://2130706433/",
    "http://localhost:3000/",
    "http://api.localhost/",
    "http://printer.local/",
    "http://metadata/",
    "ftp://example.com/",
    "file:///etc/passwd",
    "not a url",
  ])("refuses %s", (url) => {
    expect(checkWebhookTarget(url, none).ok).toBe(false);
  });

  it.each(["https://n8n.example.com/webhook/botlive", "http://93.184.216.34/hook", "https://[2606:4700::1111]/"])(
    "accepts the public target %s",
    (url) => {
      expect(checkWebhookTarget(url, none).ok).toBe(true);
    },
  );

  it("lets the development allow-list through, by host or host and port only", () => {
    const allow = parseAllowList("127.0.0.1:8080, localhost");
    expect(checkWebhookTarget("http://127.0.0.1:8080/hook", allow).ok).toBe(true);
    expect(checkWebhookTarget("http://127.0.0.1:9090/hook", allow).ok).toBe(false);
    expect(checkWebhookTarget("http://localhost:1234/hook", allow).ok).toBe(true);
    expect(checkWebhookTarget("http://10.0.0.1/hook", allow).ok).toBe(false);
  });
});
