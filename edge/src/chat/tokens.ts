/** A reply cut into word tokens, each keeping the space after it, so joining them gives the reply back. */
export function wordTokens(text: string): string[] {
  return text.match(/\S+\s*/g) ?? [];
}
