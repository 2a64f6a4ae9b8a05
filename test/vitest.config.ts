import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));

export default defineConfig({
  root: repoRoot,
  test: {
    include: ["test/**/*.test.ts", "edge/src/**/*.test.ts", "media-node/src/**/*.test.ts", "schema/src/**/*.test.ts"],
    // Vitest 4 resolves globalSetup against `root`, not this file; an absolute path avoids the ambiguity.
    globalSetup: [fileURLToPath(new URL("./global-setup.ts", import.meta.url))],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
