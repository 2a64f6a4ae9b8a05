import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The operator console (console/) is static files the worker serves from /console/ ([assets] in wrangler.toml).
 * wrangler refuses to start when the assets directory is missing, so whoever starts the edge builds the console
 * first, and again only when one of its sources is newer than the build.
 */

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const consoleDir = join(repoRoot, "console");
const builtPage = join(consoleDir, "dist", "console", "index.html");
const SOURCES = ["index.html", "vite.config.ts", "package.json", "tsconfig.json", "src"];

export async function ensureConsoleBuilt(log: (message: string) => void = () => {}): Promise<void> {
  if (existsSync(builtPage) && statSync(builtPage).mtimeMs >= newestSource()) return;
  const started = Date.now();
  await run(process.execPath, [viteCli(), "build", "--logLevel", "warn"]);
  log(`console built in ${Date.now() - started} ms (console/dist/console)`);
}

/** Vite's CLI as the console workspace resolves it (npm may install it under console/node_modules). */
function viteCli(): string {
  const manifest = createRequire(join(consoleDir, "package.json")).resolve("vite/package.json");
  const { bin } = JSON.parse(readFileSync(manifest, "utf8")) as { bin: { vite: string } };
  return join(dirname(manifest), bin.vite);
}

function newestSource(): number {
  let newest = 0;
  const visit = (path: string) => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const source of SOURCES) visit(join(consoleDir, source));
  return newest;
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: consoleDir, stdio: ["ignore", "ignore", "inherit"] });
    child.once("error", reject);
    child.once("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`console build failed (${signal ?? `exit code ${code}`})`)),
    );
  });
}
