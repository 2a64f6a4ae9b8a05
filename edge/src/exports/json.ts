/**
 * A JSON object as chunks: `head`'s fields first, then `arrayKey` holding every item of every page,
 * written one page at a time, so only one page is ever held.
 */
export async function* jsonObjectChunks<T>(
  head: Record<string, unknown>,
  arrayKey: string,
  pages: AsyncIterable<T[]>,
  toItem: (item: T) => unknown,
): AsyncGenerator<string> {
  const opening = JSON.stringify(head).slice(0, -1);
  const separator = opening === "{" ? "" : ",";
  yield `${opening}${separator}${JSON.stringify(arrayKey)}:[`;
  let first = true;
  for await (const page of pages) {
    if (page.length === 0) continue;
    yield `${first ? "" : ","}${page.map((item) => JSON.stringify(toItem(item))).join(",")}`;
    first = false;
  }
  yield "]}";
}
