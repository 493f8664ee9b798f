import { z } from "zod";

export const health = z.object({
  status: z.enum(["ok", "degraded"]),
  database: z.object({
    reachable: z.boolean(),
    version: z.string().nullable(),
    latencyMs: z.number().nullable(),
  }),
});
export type Health = z.infer<typeof health>;
