import { z } from "zod";

import { idSchema, isoDateTimeSchema, pageInput, pageSchema, textSchema } from "./common";
import { userRoles } from "./domain";

export const userRoleSchema = z.enum(userRoles);

export const upsertUserInput = z.strictObject({
  id: idSchema,
  email: z.email().max(320),
  displayName: textSchema(255, 1).nullable().optional(),
  role: userRoleSchema.optional(),
});
export type UpsertUserInput = z.output<typeof upsertUserInput>;

export const userSchema = z.object({
  id: idSchema,
  email: z.string().nullable(),
  displayName: z.string().nullable(),
  role: userRoleSchema,
  createdAt: isoDateTimeSchema,
  updatedAt: isoDateTimeSchema,
});
export type User = z.infer<typeof userSchema>;

export const upsertSpaceInput = z.strictObject({ id: idSchema, name: textSchema(255, 1) });
export type UpsertSpaceInput = z.output<typeof upsertSpaceInput>;

export const spaceSchema = z.object({ id: idSchema, name: z.string(), createdAt: isoDateTimeSchema, updatedAt: isoDateTimeSchema });
export type Space = z.infer<typeof spaceSchema>;

export const listSpacesInput = z.strictObject({ ...pageInput }).default({ limit: 20 });
export type ListSpacesInput = z.output<typeof listSpacesInput>;
export const spacePageSchema = pageSchema(spaceSchema);
