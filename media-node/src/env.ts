import { z } from "zod";

/** The media node's configuration, read from the process environment. */
const mediaNodeEnvSchema = z.object({
  MEDIA_NODE_PORT: z.coerce.number().int().min(1).max(65_535).default(8790),
  /** Where the media node reports call events; the edge worker. */
  EDGE_URL: z.url().default("http://127.0.0.1:8000"),
});

export type MediaNodeEnv = z.infer<typeof mediaNodeEnvSchema>;

export function readMediaNodeEnv(source: Record<string, string | undefined> = process.env): MediaNodeEnv {
  const parsed = mediaNodeEnvSchema.safeParse(source);
  if (!parsed.success) throw new Error(`Invalid media node configuration: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
