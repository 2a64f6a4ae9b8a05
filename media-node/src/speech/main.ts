import { startSpeechServer } from "./server.js";

/** `tsx media-node/src/speech/main.ts`: the local speech server on SPEECH_PORT (npm start runs it). */
const port = Number(process.env.SPEECH_PORT ?? 8793);
const server = await startSpeechServer(port);
console.log(`speech server (eSpeak-NG) on ${server.baseUrl}`);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void server.stop().then(() => process.exit(0)));
}
