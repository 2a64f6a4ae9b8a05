import { readEmulatorEnv } from "./config.js";
import { startEmulatorServer } from "./emulator.js";

/** `tsx media-node/src/emulator/main.ts`: the jambonz emulator on EMULATOR_PORT (see config.ts for the defaults). */
const env = readEmulatorEnv();
const running = await startEmulatorServer({
  port: env.EMULATOR_PORT,
  accountSid: env.EMULATOR_ACCOUNT_SID,
  apiKey: env.EMULATOR_API_KEY,
  webhookSecret: env.EMULATOR_WEBHOOK_SECRET,
  speed: env.EMULATOR_SPEED,
});
console.log(
  `jambonz emulator listening on ${running.url} (REST API ${running.url}/v1, account ${env.EMULATOR_ACCOUNT_SID}, speed ×${env.EMULATOR_SPEED})`,
);

let stopping = false;
function shutdown(): void {
  if (stopping) return;
  stopping = true;
  void running.close().then(() => process.exit(0));
  setTimeout(() => process.exit(1), 5_000).unref();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
