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
 * A label as stored (a tag, a category): trimmed, every run of whitespace one space, lower case,
 * so `" Customer  Support"` and `"customer support"` are the same label. Lists filter on it the same way.
 */
export const normaliseLabel = (label: string) => label.trim().replace(/\s+/g, " ").toLowerCase();

/** A label, checked after it is normalised: what is stored is what is bounded. No other character rule than text's. */
export const labelSchema = (what: string, max: number) =>
  z
    .string()
    .transform(normaliseLabel)
    .pipe(
      z
        .string()
        .min(1, `${what} must not be empty`)
        .max(max, `${what} must be at most ${max} characters`)
        .refine((s) => !s.includes("\u0000") && s.isWellFormed(), `${what} must not contain NUL or lone surrogates`),
    );

/**
 * One tag, normalised (`labelSchema`): what every domain's `tags` hold and what a list's `tag`
 * filter compares, so `Search`, `SEARCH` and ` search ` are one tag.
 */
export const tagSchema = labelSchema("a tag", limits.tagLengthMax);

/**
 * A set of tags: each normalised, at most `limits.tagsMax`, duplicates after normalising dropped
 * silently (the first occurrence kept, in order). Shared by every domain that has tags.
 */
export const tagsSchema = z
  .array(tagSchema)
  .max(limits.tagsMax, `at most ${limits.tagsMax} tags`)
  .transform((tags) => [...new Set(tags)]);

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
