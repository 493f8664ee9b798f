import { z } from "zod";

import { id, isoDateTime, page, pageInput, text } from "./common";
import { userRoles } from "./domain";

export const userRole = z.enum(userRoles);

export const upsertUserInput = z.strictObject({
  id,
  email: z.email().max(320),
  displayName: text(255, 1).nullable().optional(),
  role: userRole.optional(),
});

export const user = z.object({
  id,
  email: z.string().nullable(),
  displayName: z.string().nullable(),
  role: userRole,
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type User = z.infer<typeof user>;

export const upsertSpaceInput = z.strictObject({ id, name: text(255, 1) });

export const space = z.object({ id, name: z.string(), createdAt: isoDateTime, updatedAt: isoDateTime });
export type Space = z.infer<typeof space>;

export const listSpacesInput = z.strictObject({ ...pageInput }).default({ limit: 20 });
export const spacePage = page(space);
