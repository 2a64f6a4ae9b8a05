/** What the engine says on its own (not from a scenario), per language; French unless the agent speaks English. */
export type EnginePhrases = {
  didNotHear: string;
  didNotUnderstand: string;
  goodbyeAfterSilence: string;
  goodbyeAfterConfusion: string;
  callbackClosing: string;
  wrongNumberClosing: string;
  transferring: string;
  voicemail: string;
};

const FRENCH: EnginePhrases = {
  didNotHear: "Je ne vous ai pas entendu.",
  didNotUnderstand: "Excusez-moi, je n'ai pas bien compris.",
  goodbyeAfterSilence: "Je ne vous entends pas, je vais raccrocher. Merci et bonne journée.",
  goodbyeAfterConfusion: "Je suis désolé, je n'arrive pas à vous comprendre. Merci et bonne journée.",
  callbackClosing: "Très bien, nous vous rappellerons à un meilleur moment. Bonne journée.",
  wrongNumberClosing: "Excusez-nous pour le dérangement. Bonne journée.",
  transferring: "Je vous mets en relation avec un conseiller, ne quittez pas.",
  voicemail: "Bonjour, nous avons essayé de vous joindre. Nous vous rappellerons prochainement. Bonne journée.",
};

const ENGLISH: EnginePhrases = {
  didNotHear: "Sorry, I didn't hear you.",
  didNotUnderstand: "Sorry, I didn't quite understand.",
  goodbyeAfterSilence: "I can't hear you, so I'll hang up now. Thank you and goodbye.",
  goodbyeAfterConfusion: "I'm sorry, I can't understand you. Thank you and goodbye.",
  callbackClosing: "Of course, we'll call you back at a better time. Goodbye.",
  wrongNumberClosing: "Sorry to have bothered you. Goodbye.",
  transferring: "Let me put you through to someone, please hold.",
  voicemail: "Hello, we tried to reach you and will call you back soon. Goodbye.",
};

export function phrasesFor(language: string): EnginePhrases {
  return language.toLowerCase().startsWith("en") ? ENGLISH : FRENCH;
}
