import { z } from "zod";

import { limits } from "./domain";

export const idSchema = z.uuid();

/** Tenant ids come from the platform (token `tid` claim): short, printable, case-sensitive. */
export const tenantIdSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, "tenant id: letters, digits and _ . : - only");

export const isoDateTimeSchema = z.iso.datetime({ offset: true });
/** A calendar day in UTC, `YYYY-MM-DD`. */
export const isoDateSchema = z.iso.date();

/** Text without NUL characters (Postgres cannot store them) and without lone surrogates. */
export const textSchema = (max: number, min = 0) =>
  z
    .string()
    .min(min)
    .max(max)
    .refine((s) => !s.includes("\u0000") && s.isWellFormed(), "text must not contain NUL or lone surrogates");

/**
 * Which way an infinite query pages: tRPC's `infiniteQueryOptions` adds it to every page's input.
 * Keyset pages only go forward (a page hands out the next page's cursor, never a previous one),
 * so it is accepted for those clients and ignored.
 */
export const pageDirectionSchema = z.enum(["forward", "backward"]);

export const pageInput = {
  limit: z.number().int().min(1).max(limits.pageSizeMax).default(limits.pageSizeDefault),
  /** Opaque keyset cursor from a previous page's `nextCursor`. */
  cursor: z.string().min(1).max(512).optional(),
  direction: pageDirectionSchema.optional(),
};
export type PageInput = z.output<typeof pageInput>;

export const pageSchema = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const sortDirectionSchema = z.enum(["asc", "desc"]);
