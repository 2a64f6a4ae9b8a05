import { z } from "zod";
import { TIME_RANGES } from "../../orders/dashboard.js";

const imageMeta = z.object({
  url: z.string().url(),
  product: z.string().max(200).optional(),
  amount: z.number().positive().optional(),
  reference: z.string().max(100).optional(),
  caption: z.string().max(1000).optional(),
});

/** POST /botlive/message and /message/stream: N8N may send `images` as a list or as a single URL string. */
export const botliveMessageBody = z.object({
  company_id: z.string().trim().min(1).max(100),
  user_id: z.string().trim().min(1).max(100),
  user_name: z.string().trim().max(200).optional(),
  message: z.string().max(4000).default(""),
  images: z
    .union([z.array(z.union([z.string().url(), imageMeta])).max(10), z.string().url(), z.literal("")])
    .optional()
    .transform((images) => (images === undefined || images === "" ? [] : Array.isArray(images) ? images : [images])),
  conversation_history: z.string().max(20_000).optional(),
  language: z.string().max(10).optional(),
});
export type BotliveMessageBody = z.infer<typeof botliveMessageBody>;

export const statsQuery = z.object({ time_range: z.enum(TIME_RANGES).default("today") });
export const limitQuery = (fallback: number) =>
  z.object({ limit: z.coerce.number().int().min(1).max(500).default(fallback) });
