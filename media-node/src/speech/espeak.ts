/// <reference path="./espeak-ng.d.ts" />
import ESpeakNg from "espeak-ng";

/**
 * eSpeak-NG compiled to WebAssembly (the `espeak-ng` npm package): real formant speech synthesis, offline, with
 * French, English, Spanish and ~100 other voices. Each call runs the CLI once in a fresh module instance, since
 * the Emscripten build exits after main.
 */
export type EspeakRequest = { text: string; language: string; variant?: string | undefined };

/** OpenAI's voice names, mapped to eSpeak variants so callers' `voice` still changes the voice. */
export const VOICE_VARIANTS: Record<string, string> = {
  alloy: "",
  echo: "+m3",
  fable: "+m5",
  onyx: "+m7",
  nova: "+f3",
  shimmer: "+f4",
};

const LANGUAGE = /^[a-z]{2,3}(-[a-z]{2,4})?$/;

export async function speakToWav(request: EspeakRequest): Promise<Uint8Array> {
  const language = request.language.toLowerCase();
  if (!LANGUAGE.test(language)) throw new Error(`unsupported language ${request.language}`);
  const voice = `${language}${request.variant ?? ""}`;
  // The text goes through a file, never argv, so a text starting with "-" is not read as an option.
  const engine = await ESpeakNg({
    arguments: ["-v", voice, "-w", "/tmp/out.wav", "-f", "/tmp/in.txt"],
    preRun: [
      (module: { FS: { writeFile(path: string, data: string): void } }) =>
        module.FS.writeFile("/tmp/in.txt", request.text),
    ],
  });
  const wav: Uint8Array = engine.FS.readFile("/tmp/out.wav");
  if (wav.byteLength <= 44) throw new Error(`eSpeak-NG produced no audio for voice ${voice}`);
  return wav;
}
