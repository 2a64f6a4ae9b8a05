import { deu, eng, fra, ita, nld, por, spa } from "stopword";

/** Stop-word lists (the maintained `stopword` package) by the ISO 639-1 code agents carry in `language`. */
const STOP_WORDS: Record<string, ReadonlySet<string>> = {
  en: new Set(eng),
  fr: new Set(fra),
  es: new Set(spa),
  de: new Set(deu),
  it: new Set(ita),
  pt: new Set(por),
  nl: new Set(nld),
};

/** The list for a language such as `fr` or `en-US`; English when the language has none. */
export function stopWordsFor(language: string | null | undefined): ReadonlySet<string> {
  const code = (language ?? "en").slice(0, 2).toLowerCase();
  return STOP_WORDS[code] ?? (STOP_WORDS.en as ReadonlySet<string>);
}

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;

/**
 * The distinct word n-grams of one text: lower-cased words, and only runs of adjacent words none of which is a
 * stop word or a bare number (an n-gram never spans a removed word or a clause's punctuation).
 */
export function phrasesOf(text: string, stopWords: ReadonlySet<string>, n = 2): Set<string> {
  const phrases = new Set<string>();
  for (const clause of text.toLowerCase().split(CLAUSE_BREAK)) addClausePhrases(clause, stopWords, n, phrases);
  return phrases;
}

/** Punctuation that ends a clause: a phrase never runs across it. */
const CLAUSE_BREAK = /[.,;:!?¿¡()"«»\n…]+/u;

function addClausePhrases(clause: string, stopWords: ReadonlySet<string>, n: number, phrases: Set<string>): void {
  let run: string[] = [];
  for (const match of clause.matchAll(WORD)) {
    const word = match[0].replace(/’/g, "'");
    if (stopWords.has(word) || /^\p{N}+$/u.test(word) || word.length < 2) {
      run = [];
      continue;
    }
    run.push(word);
    if (run.length >= n) phrases.add(run.slice(-n).join(" "));
  }
}

export type PhraseCount = { phrase: string; count: number; frequency: number };

/**
 * The most frequent phrases over documents (one per call): `count` is how many documents say the phrase,
 * `frequency` that share of all documents in percent (one decimal). Ties go alphabetically.
 */
export function topPhrases(
  documents: ReadonlyArray<{ text: string; language: string | null }>,
  limit: number,
): PhraseCount[] {
  const counts = new Map<string, number>();
  for (const document of documents) {
    for (const phrase of phrasesOf(document.text, stopWordsFor(document.language))) {
      counts.set(phrase, (counts.get(phrase) ?? 0) + 1);
    }
  }
  const total = documents.length;
  return [...counts.entries()]
    .sort(([a, countA], [b, countB]) => countB - countA || a.localeCompare(b))
    .slice(0, limit)
    .map(([phrase, count]) => ({ phrase, count, frequency: Math.round((count / total) * 1000) / 10 }));
}
