import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/**
 * Validation against @jambonz/schema, the JSON schemas jambonz itself publishes: verb arrays the app returns,
 * and the callback payloads the emulator sends (so the emulator can't drift from what jambonz really sends).
 */

type AjvError = { instancePath?: string; message?: string; params?: Record<string, unknown> };
type CompiledSchema = ((data: unknown) => boolean) & { errors?: AjvError[] | null };
type AjvInstance = { addSchema(schema: object): void; getSchema(id: string): CompiledSchema | undefined };
type JambonzSchemaModule = { validateVerb(name: string, data: object, logger?: unknown): void };

const require = createRequire(import.meta.url);
const schemaPackageDir = dirname(require.resolve("@jambonz/schema"));
const jambonzSchema = require("@jambonz/schema") as JambonzSchemaModule;

/** The callback payloads the emulator sends, by schema name (callbacks/<name>.schema.json). */
export type CallbackName =
  | "call-status"
  | "session-new"
  | "session-redirect"
  | "gather"
  | "gather-partial"
  | "amd"
  | "dial"
  | "sip-refer"
  | "listen";

let callbackAjv: AjvInstance | undefined;

function loadCallbackAjv(): AjvInstance {
  if (callbackAjv) return callbackAjv;
  // ajv is @jambonz/schema's own dependency; resolving it from there keeps the versions in step.
  const Ajv = createRequire(join(schemaPackageDir, "index.js"))("ajv") as new (options: object) => AjvInstance;
  const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false, logger: false });
  for (const folder of ["components", "callbacks"]) {
    for (const file of readdirSync(join(schemaPackageDir, folder)).filter((name) => name.endsWith(".schema.json"))) {
      ajv.addSchema(JSON.parse(readFileSync(join(schemaPackageDir, folder, file), "utf8")) as object);
    }
  }
  callbackAjv = ajv;
  return ajv;
}

function describeErrors(errors: AjvError[] | null | undefined): string[] {
  return (errors ?? []).map((error) => `${error.instancePath || "(root)"} ${error.message ?? "is invalid"}`);
}

/** Problems with a callback payload, empty when it matches jambonz's published schema. */
export function callbackPayloadProblems(name: CallbackName, payload: object): string[] {
  const validate = loadCallbackAjv().getSchema(`https://jambonz.org/schema/callbacks/${name}`);
  if (!validate) return [`no @jambonz/schema callback schema named ${name}`];
  return validate(payload) ? [] : describeErrors(validate.errors);
}

/** Problems with an object that should match a component schema (components/<name>.schema.json), e.g. "amd". */
export function componentProblems(name: string, value: unknown): string[] {
  const validate = loadCallbackAjv().getSchema(`https://jambonz.org/schema/components/${name}`);
  if (!validate) return [`no @jambonz/schema component schema named ${name}`];
  return validate(value) ? [] : describeErrors(validate.errors);
}

export type Verb = { verb: string } & Record<string, unknown>;

/**
 * Problems with a verb array returned by the app, empty when every verb is valid.
 * Like jambonz, a response must be a non-empty array of `{verb: …}` objects.
 */
export function verbArrayProblems(verbs: unknown): string[] {
  if (!Array.isArray(verbs)) return ["the response is not an array of verbs"];
  if (verbs.length === 0) return ["the verb array is empty"];
  return verbs.flatMap((verb, index) => singleVerbProblems(verb).map((problem) => `verb ${index}: ${problem}`));
}

function singleVerbProblems(verb: unknown): string[] {
  if (typeof verb !== "object" || verb === null || Array.isArray(verb)) return ["not an object"];
  const { verb: name, ...data } = verb as Record<string, unknown>;
  if (typeof name !== "string") return ["missing the `verb` property"];
  try {
    jambonzSchema.validateVerb(name, data);
    return [];
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
}
