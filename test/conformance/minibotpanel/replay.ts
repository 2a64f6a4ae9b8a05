import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";

/**
 * Runs the document's own commands: curl examples through the real curl, scripts through bash and
 * python3. Only the host, the password and the example ids are changed.
 */

export const DOC_BASE_URL = "http://localhost:8000";

export type Replayed = {
  status: number;
  headers: Headers;
  /** What the command printed (after its own `| jq`, when it has one). */
  stdout: string;
  /** The directory the command ran in, where `-o` files land. */
  dir: string;
};

export type ScriptRun = { exitCode: number; stdout: string; stderr: string; dir: string };

/**
 * Wrappers around the documented commands: curl also dumps the response headers (for the status and
 * Content-Disposition) and stays quiet; ffplay is absent here, so it keeps what it would have played;
 * `watch` runs its command once instead of every n seconds.
 */
const PRELUDE = `
curl() { command curl --silent --show-error --max-time 20 --dump-header "$CURL_HEADERS" "$@"; }
ffplay() { cat > ffplay-input.bin; }
watch() { while [[ "$1" == -* ]]; do shift 2; done; bash -c "$*"; }
export -f curl ffplay
`;

/** A scratch directory per test file; `cleanup` removes it. */
export async function scratchRoot(): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), "minibotpanel-conformance-"));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/**
 * A documented command pointed at the worker under test: each example id is replaced by a real one
 * (`{ "42": 1234 }`), then the documented host and passwords by the test stack's.
 */
export function localise(docCommand: string, ids: Record<string, string | number> = {}): string {
  const examples = Object.keys(ids).map((example) => example.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&"));
  // One pass, so a real id is never mistaken for another example id.
  const command = examples.length
    ? docCommand.replace(new RegExp(examples.join("|"), "g"), (example) => String(ids[example]))
    : docCommand;
  return command.replaceAll(DOC_BASE_URL, inject("edgeUrl")).replace(/mypassword(?:123)?/g, inject("apiPassword"));
}

/** Runs one documented curl command (already localised) and reads back its status and headers. */
export async function replayCurl(root: string, command: string): Promise<Replayed> {
  const dir = await mkdtemp(join(root, "curl-"));
  const headersFile = join(dir, ".headers");
  const run = await runProcess("bash", ["-c", `${PRELUDE}\n${command}`], dir, { CURL_HEADERS: headersFile });
  if (run.exitCode !== 0) throw new Error(`command failed (${run.exitCode}): ${command}\n${run.stderr}`);
  const { status, headers } = parseHeaderDump(await readFile(headersFile, "utf8"));
  return { status, headers, stdout: run.stdout, dir };
}

/** Runs a script file's text with bash or python3 in a fresh directory; a non-zero exit is returned, not thrown. */
export async function runScript(root: string, interpreter: "bash" | "python3", source: string): Promise<ScriptRun> {
  const dir = await mkdtemp(join(root, `${interpreter}-`));
  const file = join(dir, interpreter === "bash" ? "script.sh" : "script.py");
  await writeFile(file, source);
  return { ...(await runProcess(interpreter, [file], dir)), dir };
}

/**
 * Replaces each `from` in a verbatim fixture, requiring exactly `count` occurrences (1 unless given):
 * if the fixture drifts from what the test expects, the test says so instead of running something else.
 */
export function substitute(source: string, replacements: Array<{ from: string; to: string; count?: number }>): string {
  let result = source;
  for (const { from, to, count = 1 } of replacements) {
    const found = result.split(from).length - 1;
    if (found !== count) throw new Error(`expected ${count} × ${JSON.stringify(from)} in the fixture, found ${found}`);
    result = result.replaceAll(from, to);
  }
  return result;
}

function runProcess(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<Omit<ScriptRun, "dir">> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd, env: { ...process.env, ...env }, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ exitCode, stdout, stderr: error && exitCode === -1 ? `${stderr}\n${error.message}` : stderr });
      },
    );
  });
}

/** The last response in a `curl --dump-header` file (an interim 100 Continue comes first). */
function parseHeaderDump(dump: string): { status: number; headers: Headers } {
  const blocks = dump.split(/\r?\n\r?\n/).filter((block) => block.trim() !== "");
  const last = blocks.at(-1);
  if (!last) throw new Error("curl dumped no headers: no response?");
  const [statusLine = "", ...lines] = last.split(/\r?\n/);
  const status = Number(statusLine.split(" ")[1]);
  const headers = new Headers();
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return { status, headers };
}
