import { stringify } from "csv-stringify/sync";

export type CsvCell = string | number | null;

/**
 * A CSV file as chunks: the header row, then one chunk per page of items. Each page is formatted
 * on its own, so only one page is ever held. Lines end in CRLF (RFC 4180, as Python's csv module).
 */
export async function* csvChunks<T>(
  columns: readonly string[],
  pages: AsyncIterable<T[]>,
  toRecord: (item: T) => CsvCell[],
): AsyncGenerator<string> {
  yield formatRecords([[...columns]]);
  for await (const page of pages) yield formatRecords(page.map(toRecord));
}

function formatRecords(records: CsvCell[][]): string {
  return stringify(records, { record_delimiter: "windows" });
}
