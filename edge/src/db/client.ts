import { neonConfig, Pool } from "@neondatabase/serverless";
import * as schema from "@switchboard/schema";
import { drizzle, type NeonDatabase } from "drizzle-orm/neon-serverless";
import type { AppEnv } from "../env.js";

export type Database = NeonDatabase<typeof schema>;
/** The handle a `db.transaction` callback receives. */
export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];

/**
 * One connection per request, opened on first use and closed after the response.
 * Workers cannot share sockets between requests, so a module-level pool is not an option;
 * max 1 keeps a GraphQL request with parallel resolvers on a single connection.
 */
export class RequestDatabase {
  #pool: Pool | undefined;
  #db: Database | undefined;
  #holds: Promise<unknown>[] = [];

  constructor(private readonly env: AppEnv) {}

  get db(): Database {
    if (!this.#db) {
      this.#pool = openPool(this.env, { max: 1 });
      this.#db = drizzle(this.#pool, { schema });
    }
    return this.#db;
  }

  /** Keeps the connection open until `work` settles: a streamed response reads after its handler returns. */
  keepOpenUntil(work: Promise<unknown>): void {
    this.#holds.push(work);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.#holds);
    await this.#pool?.end();
  }
}

/**
 * A connection a Durable Object keeps across its requests and alarms (unlike a stateless Worker, an object
 * may reuse sockets), so a dialer tick does not pay a connection setup: a TLS and auth round trip on Neon.
 * The pool drops the connection after `idleMs` without use and opens a new one on the next query.
 */
export class ObjectDatabase {
  readonly db: Database;

  constructor(env: AppEnv, idleMs: number) {
    const pool = openPool(env, { max: 1, idleTimeoutMillis: idleMs });
    // An idle connection the server closed (restart, failover) is dropped by the pool; the next query reconnects.
    pool.on("error", (error: Error) =>
      console.error(JSON.stringify({ database: "idle connection lost", error: String(error) })),
    );
    this.db = drizzle(pool, { schema });
  }
}

function openPool(env: AppEnv, options: { max: number; idleTimeoutMillis?: number }): Pool {
  configureProxy(env);
  return new Pool({ connectionString: env.DATABASE_URL, ...options });
}

function configureProxy(env: AppEnv): void {
  const proxy = env.DB_WS_PROXY;
  if (!proxy) return;
  neonConfig.wsProxy = (host, port) => `${proxy}/v2?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  neonConfig.pipelineConnect = false;
}
