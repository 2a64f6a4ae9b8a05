import { neonConfig, Pool } from "@neondatabase/serverless";
import * as schema from "@switchboard/schema";
import { drizzle, type NeonDatabase } from "drizzle-orm/neon-serverless";
import type { AppEnv } from "../env.js";

export type Database = NeonDatabase<typeof schema>;

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
      configureProxy(this.env);
      this.#pool = new Pool({ connectionString: this.env.DATABASE_URL, max: 1 });
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

function configureProxy(env: AppEnv): void {
  const proxy = env.DB_WS_PROXY;
  if (!proxy) return;
  neonConfig.wsProxy = (host, port) => `${proxy}/v2?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  neonConfig.pipelineConnect = false;
}
