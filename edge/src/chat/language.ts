import { normaliseText } from "../conversation/intents.js";

/** The chat languages; replies are written in each. */
export const CHAT_LANGUAGES = ["fr", "es", "en"] as const;
export type ChatLanguage = (typeof CHAT_LANGUAGES)[number];

/** Frequent words that tell the three languages apart (accents removed, as normaliseText leaves them). */
const MARKERS: Record<ChatLanguage, readonly string[]> = {
  fr: [
    "je",
    "bonjour",
    "veux",
    "commander",
    "merci",
    "est",
    "mon",
    "ma",
    "les",
    "des",
    "un",
    "une",
    "avec",
    "pour",
    "suis",
    "probleme",
    "oui",
    "salut",
    "combien",
    "livraison",
    "paye",
    "j",
    "c",
    "quoi",
  ],
  es: [
    "hola",
    "quiero",
    "gracias",
    "el",
    "la",
    "los",
    "las",
    "por",
    "favor",
    "estoy",
    "tengo",
    "problema",
    "mi",
    "con",
    "para",
    "pedir",
    "comprar",
    "buenos",
    "dias",
    "necesito",
    "si",
    "envio",
  ],
  en: [
    "hello",
    "hi",
    "i",
    "want",
    "the",
    "my",
    "is",
    "thanks",
    "thank",
    "you",
    "please",
    "order",
    "buy",
    "have",
    "problem",
    "with",
    "to",
    "need",
    "would",
    "like",
    "delivery",
  ],
};

/** The language the text is written in, by marker words; ties and unknowns keep `fallback`. */
export function detectLanguage(text: string, fallback: ChatLanguage = "fr"): ChatLanguage {
  const words = normaliseText(text).trim().split(" ");
  let best: ChatLanguage = fallback;
  let bestScore = 0;
  for (const language of CHAT_LANGUAGES) {
    const score = words.filter((word) => MARKERS[language].includes(word)).length;
    if (score > bestScore) {
      best = language;
      bestScore = score;
    }
  }
  return best;
}

export function asChatLanguage(value: string | null | undefined): ChatLanguage | null {
  const short = value?.slice(0, 2).toLowerCase();
  return (CHAT_LANGUAGES as readonly string[]).includes(short ?? "") ? (short as ChatLanguage) : null;
}
