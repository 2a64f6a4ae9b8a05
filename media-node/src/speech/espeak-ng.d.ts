declare module "espeak-ng" {
  type EspeakModule = { FS: { readFile(path: string): Uint8Array; writeFile(path: string, data: string): void } };
  /** Runs the eSpeak-NG CLI with `arguments` once; `preRun` hooks see the module's file system first. */
  export default function ESpeakNg(options: {
    arguments: string[];
    preRun?: Array<(module: EspeakModule) => void>;
  }): Promise<EspeakModule>;
}
