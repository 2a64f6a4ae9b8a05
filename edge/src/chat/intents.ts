import { normaliseText, recogniseSpeech } from "../conversation/intents.js";

/**
 * Chat intents by deterministic rules (rules:v1): the voice engine's built-in phrases for "a human" (transfer),
 * plus chat phrase lists in French, Spanish and English. Confidence says how the intent was found: a phrase
 * from the intent's own list scores high, a weak hint lower, nothing at all is `unknown` at 0.3.
 */

export const CHAT_INTENTS = [
  "human_request",
  "frustration",
  "order",
  "payment",
  "delivery",
  "support_request",
  "product_search",
  "greeting",
  "thanks",
  "unknown",
] as const;
export type ChatIntent = (typeof CHAT_INTENTS)[number];

export type ChatIntentMatch = { intent: ChatIntent; confidence: number; rule: string };

const PHRASES: Partial<Record<ChatIntent, readonly string[]>> = {
  order: [
    "commander",
    "commande",
    "je veux",
    "je prends",
    "acheter",
    "pedir",
    "pedido",
    "quiero",
    "comprar",
    "order",
    "buy",
    "i want",
    "i would like",
  ],
  payment: [
    "paye",
    "payer",
    "paiement",
    "depot",
    "wave",
    "orange money",
    "mtn money",
    "transfert",
    "pago",
    "pagar",
    "pagado",
    "payment",
    "paid",
    "deposit",
  ],
  delivery: ["livraison", "livrer", "zone", "quartier", "envio", "entrega", "delivery", "deliver", "shipping"],
  support_request: [
    "probleme",
    "casse",
    "cassee",
    "defaut",
    "abime",
    "abimee",
    "dechire",
    "dechiree",
    "sav",
    "reclamation",
    "ne fonctionne pas",
    "marche pas",
    "problema",
    "roto",
    "rota",
    "defecto",
    "no funciona",
    "problem",
    "broken",
    "damaged",
    "defect",
    "doesn t work",
    "not working",
    "complaint",
  ],
  product_search: [
    "cherche",
    "recherche",
    "avez vous",
    "vous avez",
    "catalogue",
    "prix",
    "busco",
    "tienen",
    "precio",
    "looking for",
    "do you have",
    "catalog",
    "price",
  ],
  greeting: [
    "bonjour",
    "bonsoir",
    "salut",
    "coucou",
    "hola",
    "buenos dias",
    "buenas",
    "hello",
    "hi",
    "hey",
    "good morning",
  ],
  thanks: ["merci", "gracias", "thanks", "thank you"],
};

/** Words that show anger in any of the three languages. */
const INSULTS = [
  "arnaque",
  "voleur",
  "voleurs",
  "nul",
  "nuls",
  "merde",
  "putain",
  "escroc",
  "estafa",
  "ladrones",
  "mierda",
  "scam",
  "thieves",
  "useless",
  "shit",
];

/** Mostly capitals (over 70 % of at least 8 letters), or an insult: LEGACY-NOTES' signs of frustration. */
export function isFrustrated(text: string): boolean {
  const letters = text.replace(/[^\p{L}]/gu, "");
  const capitals = letters.replace(/[^\p{Lu}]/gu, "");
  if (letters.length >= 8 && capitals.length / letters.length > 0.7) return true;
  const normalised = normaliseText(text);
  return INSULTS.some((word) => normalised.includes(` ${word} `));
}

function phraseMatch(normalised: string, intent: ChatIntent): boolean {
  return (PHRASES[intent] ?? []).some((phrase) => normalised.includes(normaliseText(phrase)));
}

/** Intents in priority order: a human or anger first, then what the message is about. */
export function classifyMessage(text: string, hasImages = false): ChatIntentMatch {
  if (recogniseSpeech(text).some((match) => match.intent === "transfer")) {
    return { intent: "human_request", confidence: 0.95, rule: "rules:v1:human_request" };
  }
  if (isFrustrated(text)) return { intent: "frustration", confidence: 0.85, rule: "rules:v1:frustration" };
  const normalised = normaliseText(text);
  const ordered: ChatIntent[] = [
    "support_request",
    "payment",
    "order",
    "delivery",
    "product_search",
    "thanks",
    "greeting",
  ];
  const found = ordered.find((intent) => phraseMatch(normalised, intent));
  if (found)
    return {
      intent: found,
      confidence: found === "greeting" || found === "thanks" ? 0.9 : 0.95,
      rule: `rules:v1:${found}`,
    };
  if (hasImages) return { intent: "order", confidence: 0.6, rule: "rules:v1:image" };
  return { intent: "unknown", confidence: 0.3, rule: "rules:v1:none" };
}
