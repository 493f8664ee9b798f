import { z } from "zod";

import { idSchema, tenantIdSchema } from "./common";
import { userRoles } from "./domain";

/** Claims every API token carries. The tenant always comes from here, never from input. */
export const tokenClaimsSchema = z.object({
  sub: idSchema,
  tid: tenantIdSchema,
  role: z.enum(userRoles),
});
export type TokenClaims = z.infer<typeof tokenClaimsSchema>;
