import type { RequestDatabase } from "../db/client.js";
import type { AppEnv } from "../env.js";
import type { Principal } from "../identity/principal.js";
import type { AuthenticationError } from "../shared/errors.js";

/** What every Hono handler can read from `c.var`. */
export type AppVariables = {
  requestId: string;
  env: AppEnv;
  database: RequestDatabase;
  principal: Principal | null;
  authError: AuthenticationError | null;
};

export type AppBindings = { Bindings: Record<string, unknown>; Variables: AppVariables };
