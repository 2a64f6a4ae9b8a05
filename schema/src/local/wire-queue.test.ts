import { randomUUID } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { serialize } from "pg-protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmbeddedDatabase, startEmbeddedDatabase } from "./embedded-db.js";
import { WireQueue } from "./wire-queue.js";

/** Backend message types in a response stream (type byte, then an int32 length that counts itself). */
function messageTypes(chunks: Uint8Array[]): string[] {
  const bytes = Buffer.concat(chunks);
  const types: string[] = [];
  for (let offset = 0; offset < bytes.length; offset += 1 + bytes.readInt32BE(offset + 1)) {
    types.push(String.fromCharCode(bytes[offset] ?? 0));
  }
  return types;
}

/** Two clients' extended-protocol sequences, message by message, alternating between them. */
function interleavedSequences(uuid: string): Array<[client: 1 | 2, message: Buffer]> {
  return [
    [1, serialize.parse({ text: "select $1::uuid as value", types: [] })],
    [2, serialize.parse({ text: "select $1::int + $2::int as value", types: [] })],
    [1, serialize.bind({ values: [uuid] })],
    [2, serialize.bind({ values: ["2", "3"] })],
    [1, serialize.execute()],
    [2, serialize.execute()],
    [1, serialize.sync()],
    [2, serialize.sync()],
  ];
}

describe("WireQueue", () => {
  it("keeps each client's Parse…Sync together, where running the messages in arrival order fails", async () => {
    const db = await PGlite.create();
    try {
      const uuid = randomUUID();
      const naive: Uint8Array[] = [];
      for (const [, message] of interleavedSequences(uuid)) naive.push(await db.execProtocolRaw(message));
      expect(messageTypes(naive)).toContain("E"); // an ErrorResponse: client 1 bound to client 2's statement

      const queue = new WireQueue(db);
      const received: Record<1 | 2, Uint8Array[]> = { 1: [], 2: [] };
      await Promise.all(
        interleavedSequences(uuid).map(([client, message]) =>
          // Chunks are views into PGlite memory that the next message reuses, so keep copies.
          queue.enqueue(client, new Uint8Array(message), (chunk) => received[client].push(chunk.slice())),
        ),
      );
      expect(messageTypes(received[1])).not.toContain("E");
      expect(messageTypes(received[2])).not.toContain("E");
      expect(Buffer.concat(received[1]).toString("latin1")).toContain(uuid);
      expect(messageTypes(received[2])).toContain("D"); // the DataRow with 5
    } finally {
      await db.close();
    }
  });
});

describe("the embedded database under concurrent clients", () => {
  let database: EmbeddedDatabase;
  beforeAll(async () => {
    database = await startEmbeddedDatabase({});
  });
  afterAll(() => database.stop());

  it("keeps a transaction's statements away from other clients until it ends", async () => {
    const writer = new pg.Client({ connectionString: database.url });
    const reader = new pg.Client({ connectionString: database.url });
    await Promise.all([writer.connect(), reader.connect()]);
    try {
      await writer.query("create table if not exists wire_queue_probe (n int)");
      await writer.query("begin");
      await writer.query("insert into wire_queue_probe values ($1)", [1]);
      const read = reader.query("select count(*)::int as n from wire_queue_probe");
      await writer.query("rollback");
      expect((await read).rows[0].n).toBe(0);
    } finally {
      await Promise.all([writer.end(), reader.end()]);
    }
  });
});
