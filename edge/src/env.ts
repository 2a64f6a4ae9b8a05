import { z } from "zod";

/** Worker bindings and vars, validated once per isolate per env object. */
const envSchema = z.object({
  DATABASE_URL: z.string().url(),
  /** Local only: host:port of the WebSocket→TCP bridge standing in for Neon's proxy. */
  DB_WS_PROXY: z.string().optional(),
  JWT_SECRET: z.string().min(32, "JWT_SECRET must be at least 32 characters"),
  API_PASSWORD: z.string().min(1).optional(),
  DEFAULT_ORG_SLUG: z.string().min(1).default("demo"),
  ENVIRONMENT: z.enum(["development", "test", "production"]).default("production"),
});

export type AppEnv = z.infer<typeof envSchema>;

const validated = new WeakMap<object, AppEnv>();

export function readEnv(bindings: object): AppEnv {
  const cached = validated.get(bindings);
  if (cached) return cached;
  const parsed = envSchema.safeParse(bindings);
  if (!parsed.success) {
    throw new Error(`Invalid worker configuration: ${z.prettifyError(parsed.error)}`);
  }
  validated.set(bindings, parsed.data);
  return parsed.data;
}
