import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { csvChunks } from "./csv.js";
import { jsonObjectChunks } from "./json.js";
import { streamText } from "./stream.js";

async function* pagesOf<T>(...pages: T[][]): AsyncGenerator<T[]> {
  for (const page of pages) yield page;
}

async function collect(chunks: AsyncIterable<string>): Promise<string> {
  let text = "";
  for await (const chunk of chunks) text += chunk;
  return text;
}

describe("streamText", () => {
  it("streams every chunk in order and settles when done", async () => {
    const { stream, finished } = streamText(letters("a", "", "b", "c"));
    expect(await new Response(stream).text()).toBe("abc");
    await expect(finished).resolves.toBeUndefined();
  });

  it("pulls only as fast as the reader reads, and a cancel stops the source", async () => {
    let produced = 0;
    let cleanedUp = false;
    async function* endless(): AsyncGenerator<string> {
      try {
        while (true) {
          produced++;
          yield `line ${produced}\n`;
        }
      } finally {
        cleanedUp = true;
      }
    }
    const { stream, finished } = streamText(endless());
    const reader = stream.getReader();
    await reader.read();
    await reader.read();
    expect(produced).toBeLessThanOrEqual(3);
    await reader.cancel();
    await finished;
    expect(cleanedUp).toBe(true);
    const producedAtCancel = produced;
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(produced).toBe(producedAtCancel);
  });

  it("errors the stream and still settles when the source fails", async () => {
    const failures: unknown[] = [];
    async function* failing(): AsyncGenerator<string> {
      yield "first";
      throw new Error("database went away");
    }
    const { stream, finished } = streamText(failing(), (error) => failures.push(error));
    await expect(new Response(stream).text()).rejects.toThrow("database went away");
    await finished;
    expect(failures).toHaveLength(1);
  });
});

describe("csvChunks", () => {
  it("writes the header, then each page, quoting where needed, with CRLF line ends", async () => {
    const text = await collect(
      csvChunks(
        ["name", "note", "n"],
        pagesOf([{ name: "Dupont, Jean", note: 'says "hi"', n: 1 }], [{ name: "Ana", note: null, n: 0.5 }]),
        (row) => [row.name, row.note, row.n],
      ),
    );
    expect(text).toBe('name,note,n\r\n"Dupont, Jean","says ""hi""",1\r\nAna,,0.5\r\n');
    expect(parse(text, { columns: true })).toEqual([
      { name: "Dupont, Jean", note: 'says "hi"', n: "1" },
      { name: "Ana", note: "", n: "0.5" },
    ]);
  });

  it("writes only the header when there are no rows", async () => {
    expect(await collect(csvChunks(["a", "b"], pagesOf<number>(), (n) => [n, n]))).toBe("a,b\r\n");
  });
});

describe("jsonObjectChunks", () => {
  it("writes valid JSON for no, one and several pages", async () => {
    const head = { campaign: { id: 1, name: "Q1" } };
    for (const pages of [[], [[1, 2]], [[1], [], [2, 3]]]) {
      const text = await collect(jsonObjectChunks(head, "calls", pagesOf(...pages), (n) => ({ n })));
      expect(JSON.parse(text)).toEqual({ ...head, calls: pages.flat().map((n) => ({ n })) });
    }
  });

  it("handles an empty head", async () => {
    const text = await collect(jsonObjectChunks({}, "items", pagesOf([1]), (n) => n));
    expect(JSON.parse(text)).toEqual({ items: [1] });
  });
});

async function* letters(...values: string[]): AsyncGenerator<string> {
  for (const value of values) yield value;
}
