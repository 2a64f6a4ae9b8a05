import { createServer, type Server } from "node:http";
import { connect } from "node:net";
import { WebSocketServer } from "ws";

export type WsBridge = { url: string; port: number; stop: () => Promise<void> };

// Postgres Terminate message: 'X' then int32 length 4.
const TERMINATE = Buffer.from([0x58, 0, 0, 0, 4]);

/**
 * A local stand-in for Neon's WebSocket proxy: `GET /v2?address=host:port` upgrades to a
 * WebSocket whose binary frames are raw Postgres wire bytes relayed to that TCP address.
 * Only loopback targets are allowed, so it cannot be used as an open relay.
 */
export async function startWsBridge(options: { port?: number } = {}): Promise<WsBridge> {
  const http: Server = createServer((_req, res) => {
    res.writeHead(426).end("WebSocket upgrade required");
  });
  const wss = new WebSocketServer({ server: http, path: "/v2" });
  wss.on("connection", (ws, req) => {
    const target = parseTarget(req.url ?? "");
    if (!target) return ws.close(1008, "address must be a loopback host:port");
    const tcp = connect(target.port, target.host);
    tcp.setNoDelay(true);
    const pending: Buffer[] = [];
    tcp.on("connect", () => {
      for (const chunk of pending.splice(0)) tcp.write(chunk);
    });
    tcp.on("data", (data) => ws.send(data));
    tcp.on("close", () => ws.close());
    tcp.on("error", () => ws.close(1011));
    ws.on("message", (data: Buffer) => {
      if (tcp.connecting) pending.push(data);
      else tcp.write(data);
      // The driver waits for the socket to close after Terminate; without this, pool.end() hangs.
      if (data.length >= 5 && data.subarray(data.length - 5).equals(TERMINATE)) tcp.end();
    });
    ws.on("close", () => tcp.end());
  });
  await new Promise<void>((resolve) => http.listen(options.port ?? 0, "127.0.0.1", resolve));
  const address = http.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        http.close(() => resolve());
      }),
  };
}

function parseTarget(url: string): { host: string; port: number } | undefined {
  const address = new URL(url, "http://bridge").searchParams.get("address") ?? "";
  const match = /^(127\.0\.0\.1|localhost|\[::1\]):(\d{1,5})$/.exec(address);
  if (!match?.[1] || !match[2]) return undefined;
  return { host: match[1] === "[::1]" ? "::1" : match[1], port: Number(match[2]) };
}
