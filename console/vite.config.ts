import { defineConfig } from "vite";

/**
 * The operator console, served by the edge at /console: wrangler's [assets] maps `dist/` to the site root, so the
 * build lands in dist/console/ and every URL it emits starts with /console/.
 */
export default defineConfig({
  base: "/console/",
  build: {
    outDir: "dist/console",
    emptyOutDir: true,
    target: "es2022",
    // Small enough to read in devtools; the edge compresses on the way out.
    reportCompressedSize: true,
  },
  server: {
    // `npm run dev -w console` while `npm start` runs: the page's API calls go to the edge.
    proxy: { "/graphql": process.env.EDGE_URL ?? "http://127.0.0.1:8000" },
  },
});
