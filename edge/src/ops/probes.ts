/** Bounded waits for the health checks: a hung dependency must not hang /health. */

export class ProbeTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`);
  }
}

/** Settles with `work`, or rejects with ProbeTimeout after `timeoutMs` (the work itself is left to finish). */
export async function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeout(timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export type HttpProbe = { ok: boolean; httpStatus?: number; body?: unknown; latencyMs: number; error?: string };

/**
 * GETs `url` within `timeoutMs`. The error text is safe to publish: a timeout, an HTTP status or
 * "unreachable", never the underlying exception (which may name hosts or credentials).
 */
export async function probeHttp(url: string, timeoutMs: number, fetcher: typeof fetch = fetch): Promise<HttpProbe> {
  const started = Date.now();
  const latency = () => Date.now() - started;
  try {
    const response = await fetcher(url, {
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await readJson(response);
    if (!response.ok) {
      return { ok: false, httpStatus: response.status, body, latencyMs: latency(), error: `HTTP ${response.status}` };
    }
    return { ok: true, httpStatus: response.status, body, latencyMs: latency() };
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    return { ok: false, latencyMs: latency(), error: timedOut ? `timed out after ${timeoutMs} ms` : "unreachable" };
  }
}

async function readJson(response: Response): Promise<unknown> {
  if (!response.headers.get("content-type")?.includes("json")) {
    await response.body?.cancel();
    return undefined;
  }
  return response.json().catch(() => undefined);
}

/** The URL without credentials or query string, fit for a public report. */
export function publicUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    parsed.search = "";
    parsed.hash = "";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return "(invalid url)";
  }
}
