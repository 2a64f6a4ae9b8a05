import { createServer, type Server } from "node:http";
import { connect, type Socket } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";

export type WsBridge = { url: string; port: number; stop: () => Promise<void>; stats: () => BridgeStats };
export type BridgeStats = { active: number; waiting: number; refused: number };
export type WsBridgeOptions = {
  port?: number;
  /** Database sessions open at once; more clients wait for a free one, as on Neon's pooled endpoint. */
  maxSessions?: number;
  /** How long a client waits for a session before it is refused with SQLSTATE 53300 (too many connections). */
  sessionWaitMs?: number;
};

/**
 * Under a default PostgreSQL's 100 connections, with room for direct clients (tests, migrations). Durable
 * Objects keep an idle session for up to 30 s, and those count too.
 */
export const DEFAULT_MAX_SESSIONS = 80;
const DEFAULT_SESSION_WAIT_MS = 15_000;
// Postgres Terminate message: 'X' then int32 length 4.
const TERMINATE = Buffer.from([0x58, 0, 0, 0, 4]);

/**
 * A local stand-in for Neon's WebSocket proxy: `GET /v2?address=host:port` upgrades to a
 * WebSocket whose binary frames are raw Postgres wire bytes relayed to that TCP address.
 * Only loopback targets are allowed, so it cannot be used as an open relay. Like Neon's pooler it caps the
 * sessions open at once and queues the rest, so a burst of requests waits instead of exhausting the server
 * (PGlite takes 1,000 connections, a default PostgreSQL 100); a client that waits too long gets the error a
 * server out of connections sends, which the edge answers as 503 with Retry-After.
 */
export async function startWsBridge(options: WsBridgeOptions = {}): Promise<WsBridge> {
  const http: Server = createServer((_req, res) => {
    res.writeHead(426).end("WebSocket upgrade required");
  });
  const wss = new WebSocketServer({ server: http, path: "/v2" });
  const gate = new SessionGate(
    options.maxSessions ?? DEFAULT_MAX_SESSIONS,
    options.sessionWaitMs ?? DEFAULT_SESSION_WAIT_MS,
  );
  wss.on("connection", (ws, req) => {
    const target = parseTarget(req.url ?? "");
    if (!target) return ws.close(1008, "address must be a loopback host:port");
    relay(ws, target, gate);
  });
  await new Promise<void>((resolve) => http.listen(options.port ?? 0, "127.0.0.1", resolve));
  const address = http.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `127.0.0.1:${port}`,
    port,
    stats: () => gate.stats(),
    stop: () =>
      new Promise((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        http.close(() => resolve());
      }),
  };
}

/** Relays one client once the gate lets it in; what it sends meanwhile is kept and sent in order. */
function relay(ws: WebSocket, target: { host: string; port: number }, gate: SessionGate): void {
  const pending: Buffer[] = [];
  let tcp: Socket | undefined;
  const release = gate.enter({
    start: () => {
      tcp = connect(target.port, target.host);
      tcp.setNoDelay(true);
      tcp.on("connect", () => {
        for (const chunk of pending.splice(0)) tcp?.write(chunk);
      });
      tcp.on("data", (data) => ws.send(data));
      tcp.on("close", () => ws.close());
      tcp.on("error", () => ws.close(1011));
    },
    refuse: () => {
      ws.send(tooManyConnections());
      ws.close();
    },
  });
  ws.on("message", (data: Buffer) => {
    if (!tcp || tcp.connecting) pending.push(data);
    else tcp.write(data);
    // The driver waits for the socket to close after Terminate; without this, pool.end() hangs.
    if (data.length >= 5 && data.subarray(data.length - 5).equals(TERMINATE)) tcp?.end();
  });
  ws.on("close", () => {
    tcp?.end();
    release();
  });
}

type Entrant = { start: () => void; refuse: () => void };
type Ticket = { entrant: Entrant; state: "waiting" | "running" | "done"; timer?: NodeJS.Timeout };

/** Lets at most `max` sessions run; the rest wait in arrival order, each for at most `waitMs`. */
class SessionGate {
  #active = 0;
  #refused = 0;
  readonly #waiting: Ticket[] = [];

  constructor(
    private readonly max: number,
    private readonly waitMs: number,
  ) {}

  /** Starts or queues the entrant; the returned function ends its session (or its wait). */
  enter(entrant: Entrant): () => void {
    const ticket: Ticket = { entrant, state: "waiting" };
    if (this.#active < this.max) this.#run(ticket);
    else {
      ticket.timer = setTimeout(() => this.#refuse(ticket), this.waitMs);
      this.#waiting.push(ticket);
    }
    return () => this.#leave(ticket);
  }

  stats(): BridgeStats {
    return { active: this.#active, waiting: this.#waiting.length, refused: this.#refused };
  }

  #run(ticket: Ticket): void {
    ticket.state = "running";
    this.#active++;
    ticket.entrant.start();
  }

  #refuse(ticket: Ticket): void {
    this.#dequeue(ticket);
    this.#refused++;
    ticket.entrant.refuse();
  }

  #leave(ticket: Ticket): void {
    if (ticket.state === "waiting") this.#dequeue(ticket);
    if (ticket.state === "running") {
      ticket.state = "done";
      this.#active--;
      const next = this.#waiting.shift();
      if (next) {
        clearTimeout(next.timer);
        this.#run(next);
      }
    }
  }

  #dequeue(ticket: Ticket): void {
    ticket.state = "done";
    clearTimeout(ticket.timer);
    const index = this.#waiting.indexOf(ticket);
    if (index >= 0) this.#waiting.splice(index, 1);
  }
}

/** A FATAL ErrorResponse with SQLSTATE 53300, what a server or pooler out of connections answers at startup. */
function tooManyConnections(): Buffer {
  const fields = ["SFATAL", "VFATAL", "C53300", "Mtoo many clients: the database is busy, try again shortly"];
  const payload = Buffer.concat([...fields.map((field) => Buffer.from(`${field}\0`)), Buffer.from([0])]);
  const header = Buffer.alloc(5);
  header.write("E", 0);
  header.writeInt32BE(payload.length + 4, 1);
  return Buffer.concat([header, payload]);
}

function parseTarget(url: string): { host: string; port: number } | undefined {
  const address = new URL(url, "http://bridge").searchParams.get("address") ?? "";
  const match = /^(127\.0\.0\.1|localhost|\[::1\]):(\d{1,5})$/.exec(address);
  if (!match?.[1] || !match[2]) return undefined;
  return { host: match[1] === "[::1]" ? "::1" : match[1], port: Number(match[2]) };
}
