import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ensureConsoleBuilt } from "./console-build.js";
import { startEmbeddedDatabase } from "./embedded-db.js";
import { freePort } from "./ports.js";

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

export type ResolvedDatabase = { url: string; label: string; stop: () => Promise<void> };

/** DATABASE_URL when set; otherwise the embedded PGlite, persisted under `dataDir` when given. */
export async function resolveDatabase(
  options: { databaseUrl?: string; dataDir?: string; port?: number } = {},
): Promise<ResolvedDatabase> {
  const url = options.databaseUrl ?? process.env.DATABASE_URL;
  if (url) return { url, label: redact(url), stop: async () => {} };
  const embedded = await startEmbeddedDatabase({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.port ? { port: options.port } : {}),
  });
  return { url: embedded.url, label: `embedded PGlite (${options.dataDir ?? "in memory"})`, stop: embedded.stop };
}

export type EdgeProcess = { url: string; child: ChildProcess; stop: () => Promise<void> };

/** Runs the worker in workerd through `wrangler dev`, offline, with the given vars. */
export async function startEdge(options: {
  port: number;
  vars: Record<string, string>;
  persistTo?: string;
  quiet?: boolean;
  /** Called as soon as wrangler is spawned, so a caller can stop it even while it is still starting. */
  onSpawn?: (child: ChildProcess) => void;
}): Promise<EdgeProcess> {
  // The worker serves the console's build as static assets; wrangler will not start without it.
  await ensureConsoleBuilt(options.quiet ? undefined : console.log);
  const args = [
    "wrangler",
    "dev",
    "--port",
    String(options.port),
    "--ip",
    "127.0.0.1",
    "--show-interactive-dev-session=false",
    // Local only: GET /__scheduled runs the cron trigger (the webhook sweep) on demand; tests use it.
    "--test-scheduled",
    // Each wrangler dev takes its own devtools port: several (tests, benches) may run at once.
    "--inspector-port",
    String(await freePort()),
  ];
  for (const [key, value] of Object.entries(options.vars)) args.push("--var", `${key}:${value}`);
  if (options.persistTo) args.push("--persist-to", options.persistTo);
  const child = spawnGroup(
    "npx",
    args,
    {
      WRANGLER_SEND_METRICS: "false",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
      WRANGLER_HIDE_BANNER: "true",
      WRANGLER_LOG: options.quiet ? "warn" : "log",
    },
    options.quiet ? "ignore" : "inherit",
  );
  options.onSpawn?.(child);
  const url = `http://127.0.0.1:${options.port}`;
  try {
    await waitForHttp(`${url}/`, child, 60_000);
  } catch (error) {
    // The caller never gets the child on failure, so it must not outlive us.
    await stopGroup(child);
    throw error;
  }
  return { url, child, stop: () => stopGroup(child) };
}

/**
 * Spawns a command in its own process group, so stopping it also stops its children (workerd). Its stderr
 * is ours; its stdout is ours, dropped, or piped to the caller.
 */
export function spawnGroup(
  command: string,
  args: string[],
  env: Record<string, string>,
  stdout: "inherit" | "ignore" | "pipe" = "inherit",
): ChildProcess {
  return spawn(command, args, {
    cwd: repoRoot,
    detached: true,
    stdio: ["ignore", stdout, "inherit"],
    env: { ...process.env, ...env },
  });
}

export async function stopGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (!pid) return;
  const running = child.exitCode === null && child.signalCode === null;
  const exited = running ? new Promise<void>((resolve) => child.once("exit", () => resolve())) : Promise.resolve();
  // Signalled even when the leader (npx) is gone: its children (workerd) may still be alive.
  signalGroup(pid, "SIGTERM");
  const timer = setTimeout(() => signalGroup(pid, "SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the whole group has already exited.
  }
}

export async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${url}: process exited (${child.signalCode ?? `code ${child.exitCode}`})`);
    }
    try {
      // Bounded: a server that accepts connections but never answers (a failed wrangler build) must not hang us.
      await fetch(url, { signal: AbortSignal.timeout(5_000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
}
