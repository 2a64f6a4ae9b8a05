/** Values the global setup provides to every test file through `inject()`. */
declare module "vitest" {
  export interface ProvidedContext {
    edgeUrl: string;
    databaseUrl: string;
    apiPassword: string;
    demoEmail: string;
    demoPassword: string;
    /** Signs requests to the edge's internal API, as the media node does. */
    internalApiSecret: string;
    /** The edge's JWT_SECRET, for tests of signed links (an expired one cannot be waited for). */
    jwtSecret: string;
    mediaNodeUrl: string;
    /** The jambonz emulator: `GET /emulator/calls` shows what every call heard and said. */
    emulatorUrl: string;
  }
}

export {};
