/**
 * Intent recognition by deterministic rules (no model): keyword and phrase lists in French, English and Spanish,
 * DTMF digits, and the keyword lists a scenario declares itself. Every match names the rule that made it,
 * so a transcript shows why the agent understood what it did.
 */

/** The intents every agent understands without being told. */
export const BUILT_IN_INTENTS = ["wrong_number", "not_interested", "callback", "transfer", "no", "yes"] as const;
export type BuiltInIntent = (typeof BUILT_IN_INTENTS)[number];

export type IntentMatch = { intent: string; rule: string; phrase: string };

/** Phrases per built-in intent, written naturally; they are normalised like the utterance before matching. */
const PHRASES: Record<BuiltInIntent, readonly string[]> = {
  wrong_number: [
    "mauvais numéro",
    "faux numéro",
    "erreur de numéro",
    "vous vous trompez de numéro",
    "vous faites erreur",
    "je ne connais pas cette personne",
    "ce n'est pas moi",
    "wrong number",
    "you have the wrong number",
    "no one by that name",
    "nobody by that name",
    "número equivocado",
    "numero equivocado",
    "se ha equivocado",
    "se equivocó de número",
    "no conozco a esa persona",
    "aquí no vive",
  ],
  not_interested: [
    "pas intéressé",
    "pas intéressée",
    "pas intéressés",
    "ne m'intéresse pas",
    "m'intéresse pas",
    "non merci",
    "ne m'appelez plus",
    "arrêtez de m'appeler",
    "retirez moi",
    "not interested",
    "no thanks",
    "no thank you",
    "stop calling",
    "don't call me",
    "do not call",
    "no me interesa",
    "no estoy interesado",
    "no estoy interesada",
    "no gracias",
    "no me llame más",
    "no me llamen más",
  ],
  callback: [
    "rappelez moi",
    "rappeler plus tard",
    "me rappeler",
    "rappelez plus tard",
    "plus tard",
    "pas le moment",
    "pas maintenant",
    "pas disponible",
    "je suis occupé",
    "je suis occupée",
    "un autre jour",
    "call me back",
    "call back",
    "call later",
    "later please",
    "not a good time",
    "not now",
    "i'm busy",
    "another time",
    "llámeme más tarde",
    "llámame más tarde",
    "más tarde",
    "ahora no puedo",
    "no es buen momento",
    "estoy ocupado",
    "estoy ocupada",
    "otro día",
  ],
  transfer: [
    "un conseiller",
    "une personne",
    "un humain",
    "un opérateur",
    "parler à quelqu'un",
    "vrai personne",
    "a human",
    "real person",
    "an agent",
    "an operator",
    "a representative",
    "speak to someone",
    "talk to someone",
    "hablar con una persona",
    "una persona real",
    "un agente",
    "un operador",
    "un ejecutivo",
  ],
  no: [
    "non",
    "pas du tout",
    "pas vraiment",
    "jamais",
    "aucunement",
    "no",
    "nope",
    "nah",
    "not really",
    "never",
    "para nada",
    "nunca",
    "todavía no",
  ],
  yes: [
    "oui",
    "ouais",
    "ouai",
    "d'accord",
    "ok",
    "okay",
    "bien sûr",
    "volontiers",
    "absolument",
    "exactement",
    "tout à fait",
    "pourquoi pas",
    "avec plaisir",
    "ça m'intéresse",
    "intéressé",
    "intéressée",
    "yes",
    "yeah",
    "yep",
    "sure",
    "of course",
    "certainly",
    "absolutely",
    "why not",
    "interested",
    "sounds good",
    // Not a bare "sí": accents go before matching, and French "si" means "if".
    "sí claro",
    "sí por favor",
    "sí puedo",
    "claro",
    "vale",
    "de acuerdo",
    "por supuesto",
    "me interesa",
    "puedo pagar",
    "perfecto",
  ],
};

/** A stronger intent that makes a weaker one wrong when both match ("non merci" is not interested, not "no"…). */
const SUPPRESSES: Partial<Record<BuiltInIntent, readonly BuiltInIntent[]>> = {
  wrong_number: ["yes", "no", "not_interested", "callback", "transfer"],
  not_interested: ["yes", "callback"],
  // "Non, rappelez-moi plus tard" asks for a callback rather than refusing.
  callback: ["no"],
};

/** DTMF: 1 means yes, 2 means no; any other key is matched against the step's own mapping. */
const DTMF_INTENTS: Record<string, BuiltInIntent> = { "1": "yes", "2": "no" };

/** Lower case, no accents, punctuation and apostrophes as spaces, single spaces, padded for whole-word search. */
export function normaliseText(text: string): string {
  const plain = text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
  return ` ${plain} `;
}

function containsPhrase(normalisedText: string, phrase: string): boolean {
  const needle = normaliseText(phrase);
  return needle.trim() !== "" && normalisedText.includes(needle);
}

/**
 * Every intent an utterance expresses, strongest first: the scenario's own keyword lists (rule
 * `rules:scenario:<intent>`), then the built-in lists (rule `rules:<intent>`), minus the weaker intents a
 * stronger one contradicts.
 */
export function recogniseSpeech(text: string, scenarioKeywords: Record<string, readonly string[]> = {}): IntentMatch[] {
  const normalised = normaliseText(text);
  const custom: IntentMatch[] = [];
  for (const [intent, phrases] of Object.entries(scenarioKeywords)) {
    const phrase = phrases.find((candidate) => containsPhrase(normalised, candidate));
    if (phrase !== undefined) custom.push({ intent, rule: `rules:scenario:${intent}`, phrase });
  }
  const builtIn: IntentMatch[] = [];
  for (const intent of BUILT_IN_INTENTS) {
    const phrase = PHRASES[intent].find((candidate) => containsPhrase(normalised, candidate));
    if (phrase !== undefined) builtIn.push({ intent, rule: `rules:${intent}`, phrase });
  }
  const suppressed = new Set(builtIn.flatMap((match) => SUPPRESSES[match.intent as BuiltInIntent] ?? []));
  const customNames = new Set(custom.map((match) => match.intent));
  return [
    ...custom,
    ...builtIn.filter((match) => !suppressed.has(match.intent as BuiltInIntent) && !customNames.has(match.intent)),
  ];
}

/** Keypad input: 1 = yes, 2 = no (rule `rules:dtmf`); other digits stand for themselves. */
export function recogniseDigits(digits: string): IntentMatch[] {
  const intent = DTMF_INTENTS[digits] ?? digits;
  return [{ intent, rule: "rules:dtmf", phrase: digits }];
}

/** The built-in phrases for some intents, as recogniser hints. */
export function builtInPhrases(intents: readonly string[]): string[] {
  return intents.flatMap((intent) => (intent in PHRASES ? PHRASES[intent as BuiltInIntent] : []));
}

/** Every built-in phrase that occurs in a text, for key phrases. */
export function matchedPhrases(text: string): string[] {
  const normalised = normaliseText(text);
  return BUILT_IN_INTENTS.flatMap((intent) => PHRASES[intent].filter((phrase) => containsPhrase(normalised, phrase)));
}
