/**
 * Who answers the phone. The emulator picks a persona from the LAST DIGIT of the dialled number
 * (for inbound calls, of the caller's number):
 *
 * | last digit | persona          | what happens                                                              |
 * |------------|------------------|---------------------------------------------------------------------------|
 * | 0          | callback         | answers, asks to be called back later ("rappelez-moi plus tard")          |
 * | 1          | voicemail        | a machine answers: AMD says machine, greeting, beep; never replies        |
 * | 2          | no_answer        | rings, then no-answer (SIP 487)                                           |
 * | 3          | busy             | busy (SIP 486)                                                            |
 * | 4          | silent           | answers and says nothing: every gather times out                          |
 * | 5          | wrong_number     | answers, "vous faites erreur", then hangs up                              |
 * | 6          | failed           | the call fails (SIP 404)                                                  |
 * | 7, 8       | interested       | answers yes to everything                                                 |
 * | 9          | not_interested   | answers, declines every offer                                             |
 *
 * The seeded demo contacts therefore give a useful mix: +33612345678 interested (Jean Dupont),
 * +33623456789 not interested, +33634567890 callback, +33645678901 voicemail, +33656789014 silent;
 * acme's +14155550101 voicemail, +14155550102 no answer.
 */
export type PersonaName =
  | "interested"
  | "not_interested"
  | "callback"
  | "voicemail"
  | "silent"
  | "busy"
  | "no_answer"
  | "wrong_number"
  | "failed";

/** How the call ends before anyone answers, for personas that never answer. */
export type Unanswered = { status: "busy" | "no-answer" | "failed"; sipStatus: number; sipReason: string };

export type Persona = {
  name: PersonaName;
  /** Simulated seconds of ringing before the outcome (answer or `unanswered`). */
  ringSeconds: number;
  unanswered?: Unanswered;
  /** A machine, for AMD. */
  machine: boolean;
  /** What the person says at each gather, in order; the last one repeats. Empty: silent (gather timeout). */
  utterances: string[];
  /** Digits pressed when a gather only listens for DTMF. */
  digits?: string;
  /** Hangs up by themself after this many replies. */
  hangsUpAfterReplies?: number;
  /** Talks over a prompt that allows barge-in. */
  interrupts: boolean;
  /** What AMD hears first. */
  greeting?: string;
};

export const PERSONAS: Record<PersonaName, Persona> = {
  interested: {
    name: "interested",
    ringSeconds: 3,
    machine: false,
    utterances: ["Oui, bonjour.", "Oui, tout à fait, ça m'intéresse.", "Oui, d'accord."],
    digits: "1",
    interrupts: false,
    greeting: "Allô ?",
  },
  not_interested: {
    name: "not_interested",
    ringSeconds: 4,
    machine: false,
    utterances: ["Non merci, ça ne m'intéresse pas."],
    digits: "2",
    hangsUpAfterReplies: 3,
    interrupts: false,
    greeting: "Allô oui ?",
  },
  callback: {
    name: "callback",
    ringSeconds: 5,
    machine: false,
    utterances: ["Rappelez-moi plus tard, je n'ai pas le temps là."],
    digits: "3",
    hangsUpAfterReplies: 3,
    interrupts: true,
    greeting: "Oui ?",
  },
  voicemail: {
    name: "voicemail",
    ringSeconds: 6,
    machine: true,
    utterances: [],
    interrupts: false,
    greeting:
      "Bonjour, vous êtes bien sur la messagerie de Sophie Petit. Je ne suis pas disponible pour le moment, laissez-moi un message après le bip sonore.",
  },
  silent: { name: "silent", ringSeconds: 3, machine: false, utterances: [], interrupts: false },
  busy: {
    name: "busy",
    ringSeconds: 1,
    unanswered: { status: "busy", sipStatus: 486, sipReason: "Busy Here" },
    machine: false,
    utterances: [],
    interrupts: false,
  },
  no_answer: {
    name: "no_answer",
    ringSeconds: 20,
    unanswered: { status: "no-answer", sipStatus: 487, sipReason: "Request Terminated" },
    machine: false,
    utterances: [],
    interrupts: false,
  },
  wrong_number: {
    name: "wrong_number",
    ringSeconds: 3,
    machine: false,
    utterances: ["Vous faites erreur, il n'y a personne de ce nom ici.", "Au revoir."],
    hangsUpAfterReplies: 2,
    interrupts: false,
    greeting: "Allô ?",
  },
  failed: {
    name: "failed",
    ringSeconds: 0.5,
    unanswered: { status: "failed", sipStatus: 404, sipReason: "Not Found" },
    machine: false,
    utterances: [],
    interrupts: false,
  },
};

/** Last digit → persona; see the table above. */
export const PERSONA_BY_LAST_DIGIT: Record<string, PersonaName> = {
  "0": "callback",
  "1": "voicemail",
  "2": "no_answer",
  "3": "busy",
  "4": "silent",
  "5": "wrong_number",
  "6": "failed",
  "7": "interested",
  "8": "interested",
  "9": "not_interested",
};

export function personaForNumber(number: string): Persona {
  const lastDigit = /(\d)\D*$/.exec(number)?.[1] ?? "8";
  return PERSONAS[PERSONA_BY_LAST_DIGIT[lastDigit] ?? "interested"];
}

/** A number that reaches the given persona, for tests: `numberFor("busy")` → "+33600000003". */
export function numberFor(persona: PersonaName, prefix = "+3360000000"): string {
  const digit = Object.entries(PERSONA_BY_LAST_DIGIT).find(([, name]) => name === persona)?.[0];
  if (digit === undefined) throw new Error(`no number reaches persona ${persona}`);
  return `${prefix}${digit}`;
}
