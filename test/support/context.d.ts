/** Values the global setup provides to every test file through `inject()`. */
declare module "vitest" {
  export interface ProvidedContext {
    edgeUrl: string;
    databaseUrl: string;
    apiPassword: string;
    demoEmail: string;
    demoPassword: string;
  }
}

export {};
