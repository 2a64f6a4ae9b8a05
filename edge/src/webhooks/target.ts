import ipaddr from "ipaddr.js";

/** Development exceptions to the SSRF rule: `host` (any port) or `host:port` entries, lower-case. */
export type AllowList = ReadonlySet<string>;

export type TargetCheck = { ok: true; url: URL } | { ok: false; reason: string };

/** Hostnames that name the caller's own machine or network, whatever DNS says. */
const INTERNAL_SUFFIXES = [".localhost", ".local", ".internal", ".lan", ".home.arpa"];

/** WEBHOOK_ALLOWED_HOSTS ("127.0.0.1:8080,localhost") as a set; unset means no exception. */
export function parseAllowList(raw: string | undefined): AllowList {
  const entries = (raw ?? "").split(",").map((entry) => entry.trim().toLowerCase());
  return new Set(entries.filter((entry) => entry.length > 0));
}

/**
 * Whether a webhook may be sent to `raw`: http(s) only, and never to a private, loopback, link-local or otherwise
 * non-public address, nor to a name that can only mean an internal host, unless the allow-list names it.
 * Checked at registration and again before every delivery.
 */
export function checkWebhookTarget(raw: string, allowList: AllowList): TargetCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "not a valid URL" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return { ok: false, reason: "only http and https" };
  if (url.username || url.password) return { ok: false, reason: "credentials in the URL are not allowed" };
  if (isAllowListed(url, allowList)) return { ok: true, url };
  const refusal = refusalOfHost(url.hostname.toLowerCase().replace(/\.$/, ""));
  return refusal ? { ok: false, reason: refusal } : { ok: true, url };
}

function isAllowListed(url: URL, allowList: AllowList): boolean {
  const host = url.hostname.toLowerCase();
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return allowList.has(host) || allowList.has(`${host}:${port}`);
}

function refusalOfHost(host: string): string | null {
  const literal = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (ipaddr.isValid(literal)) return refusalOfAddress(ipaddr.parse(literal));
  if (host === "localhost" || INTERNAL_SUFFIXES.some((suffix) => host.endsWith(suffix))) {
    return `'${host}' is an internal host name`;
  }
  if (!host.includes(".")) return `'${host}' is not a public host name`;
  return null;
}

/** Only globally routable unicast addresses; IPv4-mapped IPv6 is judged as the IPv4 address it carries. */
function refusalOfAddress(address: ipaddr.IPv4 | ipaddr.IPv6): string | null {
  const effective =
    address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress()
      ? (address as ipaddr.IPv6).toIPv4Address()
      : address;
  const range = effective.range();
  return range === "unicast" ? null : `${effective.toString()} is a ${range} address`;
}
