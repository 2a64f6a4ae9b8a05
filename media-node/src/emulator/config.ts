import { z } from "zod";

/**
 * Development defaults: the emulator only ever runs on a developer's machine or in tests,
 * so fixed, documented credentials are fine (and let the media node be configured without a handshake).
 */
export const EMULATOR_DEFAULTS = {
  port: 8792,
  accountSid: "9351f46a-678c-43f5-b8a6-d4eb58d131af",
  apiKey: "emulator-api-key",
  webhookSecret: "wh_secret_emulator",
} as const;

const emulatorEnvSchema = z.object({
  EMULATOR_PORT: z.coerce.number().int().min(0).max(65_535).default(EMULATOR_DEFAULTS.port),
  /** The account every REST path must name (`/v1/Accounts/{AccountSid}/Calls`). */
  EMULATOR_ACCOUNT_SID: z.string().min(1).default(EMULATOR_DEFAULTS.accountSid),
  /** The `Authorization: Bearer …` key the REST API accepts. */
  EMULATOR_API_KEY: z.string().min(1).default(EMULATOR_DEFAULTS.apiKey),
  /** Signs every webhook (`Jambonz-Signature`), as jambonz's account webhook secret does. */
  EMULATOR_WEBHOOK_SECRET: z.string().min(1).default(EMULATOR_DEFAULTS.webhookSecret),
  /**
   * How much faster than real time calls run: 1 is real-ish (`npm start`), 50–500 suits tests.
   * Durations reported to the app (`duration`) stay in simulated seconds.
   */
  EMULATOR_SPEED: z.coerce.number().positive().max(10_000).default(1),
});

export type EmulatorEnv = z.infer<typeof emulatorEnvSchema>;

export function readEmulatorEnv(source: Record<string, string | undefined> = process.env): EmulatorEnv {
  const parsed = emulatorEnvSchema.safeParse(source);
  if (!parsed.success) throw new Error(`Invalid jambonz emulator configuration: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
