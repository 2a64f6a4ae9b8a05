import { type CallResult, callResult } from "@switchboard/schema";
import { z } from "zod";

/**
 * A MiniBotPanel scenario document read into the shape the engine runs. The document is loose JSON
 * (agents store it verbatim), so unknown fields are ignored and odd ones fall back to defaults.
 */
export type ScenarioStep = {
  name: string;
  messageText: string | null;
  /** intent → next step; `*` is the wildcard. */
  intentMapping: Record<string, string>;
  result: CallResult | null;
  isTerminal: boolean;
  timeoutSeconds: number | null;
  bargeIn: boolean | null;
  transferTo: string | null;
  /** Counts towards qualification, with this weight. */
  determinantWeight: number | null;
};

export type Scenario = {
  name: string;
  steps: Map<string, ScenarioStep>;
  startStep: string;
  /** The scenario's own keyword lists per intent, recognised before the built-in ones. */
  intentKeywords: Record<string, string[]>;
  /** Where "I want to talk to someone" goes when a step does not map `transfer`. */
  transferTo: string | null;
  voicemailMessage: string | null;
  /** Percentage of weighted "yes" on determinant steps that makes a lead. */
  qualificationThreshold: number;
};

const RESULTS = new Set<string>(callResult.enumValues);
const DEFAULT_QUALIFICATION_THRESHOLD = 70;
/** Step names that hold the voicemail message rather than a conversation step. */
const VOICEMAIL_STEP = "voicemail";
const CONVENTIONAL_START_STEPS = ["start", "hello", "greeting", "intro"];

const text = z.string().trim().min(1);
const looseStep = z.looseObject({
  message_text: z.string().optional().catch(undefined),
  intent_mapping: z.record(z.string(), z.string()).optional().catch(undefined),
  result: z.string().optional().catch(undefined),
  is_terminal: z.boolean().optional().catch(undefined),
  timeout: z.number().positive().optional().catch(undefined),
  barge_in: z.boolean().optional().catch(undefined),
  actions: z.unknown().optional(),
  determinant: z.boolean().optional().catch(undefined),
  weight: z.number().positive().optional().catch(undefined),
  transfer_to: text.optional().catch(undefined),
});
const looseScenario = z.looseObject({
  name: z.string().catch("scenario"),
  steps: z.record(z.string(), z.unknown()),
  start: text.optional().catch(undefined),
  start_step: text.optional().catch(undefined),
  rail: z.array(z.string()).optional().catch(undefined),
  intents: z.record(z.string(), z.array(z.string())).optional().catch(undefined),
  transfer_to: text.optional().catch(undefined),
  voicemail_message: text.optional().catch(undefined),
  qualification: z
    .looseObject({
      weights: z.record(z.string(), z.number().positive()).optional().catch(undefined),
      threshold: z.number().min(0).max(100).optional().catch(undefined),
    })
    .optional()
    .catch(undefined),
});

export class InvalidScenarioError extends Error {}

/** Reads a stored scenario document; throws InvalidScenarioError when it has no usable step. */
export function readScenario(document: unknown): Scenario {
  const parsed = looseScenario.safeParse(document);
  if (!parsed.success) throw new InvalidScenarioError("The scenario has no steps");
  const doc = parsed.data;
  const weights = doc.qualification?.weights ?? {};
  const steps = new Map<string, ScenarioStep>();
  for (const [name, raw] of Object.entries(doc.steps)) {
    const step = looseStep.safeParse(raw);
    if (step.success) steps.set(name, readStep(name, step.data, weights[name]));
  }
  const startStep = pickStartStep(doc, steps);
  if (!startStep) throw new InvalidScenarioError("The scenario has no steps");
  return {
    name: doc.name,
    steps,
    startStep,
    intentKeywords: doc.intents ?? {},
    transferTo: doc.transfer_to ?? null,
    voicemailMessage: doc.voicemail_message ?? steps.get(VOICEMAIL_STEP)?.messageText ?? null,
    qualificationThreshold: doc.qualification?.threshold ?? DEFAULT_QUALIFICATION_THRESHOLD,
  };
}

function readStep(name: string, step: z.infer<typeof looseStep>, scenarioWeight: number | undefined): ScenarioStep {
  const result = step.result && RESULTS.has(step.result) ? (step.result as CallResult) : null;
  const weight = scenarioWeight ?? (step.determinant ? (step.weight ?? 1) : null);
  return {
    name,
    messageText: step.message_text?.trim() ? step.message_text : null,
    intentMapping: step.intent_mapping ?? {},
    result,
    isTerminal: step.is_terminal ?? false,
    timeoutSeconds: step.timeout ?? null,
    bargeIn: step.barge_in ?? null,
    transferTo: step.transfer_to ?? transferTarget(step.actions),
    determinantWeight: weight,
  };
}

/**
 * A transfer action, in the forms scenario files use: `actions: [{type: "transfer", to|transfer_to|target|number}]`,
 * `actions: {transfer: "+33…"}` or `actions: {transfer: {to: "+33…"}}`.
 */
function transferTarget(actions: unknown): string | null {
  const list = Array.isArray(actions) ? actions : actions && typeof actions === "object" ? [actions] : [];
  for (const action of list) {
    if (!action || typeof action !== "object") continue;
    const record = action as Record<string, unknown>;
    const target =
      record.type === "transfer" ? targetOf(record) : "transfer" in record ? targetOf(record.transfer) : null;
    if (target) return target;
  }
  return null;
}

function targetOf(value: unknown): string | null {
  if (typeof value === "string" && value.trim()) return value.trim();
  if (!value || typeof value !== "object") return null;
  const record = value as Record<string, unknown>;
  for (const key of ["to", "transfer_to", "target", "number", "uri"]) {
    const candidate = record[key];
    if (typeof candidate === "string" && candidate.trim()) return candidate.trim();
  }
  return null;
}

/** An explicit start, else the rail's first step, else a conventional name, else the first conversation step. */
function pickStartStep(doc: z.infer<typeof looseScenario>, steps: Map<string, ScenarioStep>): string | null {
  const candidates = [doc.start, doc.start_step, doc.rail?.[0], ...CONVENTIONAL_START_STEPS];
  const named = candidates.find((name): name is string => name !== undefined && steps.has(name));
  if (named) return named;
  return [...steps.keys()].find((name) => name !== VOICEMAIL_STEP) ?? null;
}

/** Every intent some step maps (the wildcard aside), for recogniser hints. */
export function mappedIntents(scenario: Scenario): string[] {
  const intents = new Set<string>();
  for (const step of scenario.steps.values()) {
    for (const intent of Object.keys(step.intentMapping)) if (intent !== "*") intents.add(intent);
  }
  return [...intents];
}

/** Steps that count towards qualification. */
export function determinantSteps(scenario: Scenario): ScenarioStep[] {
  return [...scenario.steps.values()].filter((step) => step.determinantWeight !== null);
}
