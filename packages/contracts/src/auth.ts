import { z } from "zod";

import { id, tenantId } from "./common";
import { userRoles } from "./domain";

/** Claims every API token carries. The tenant always comes from here, never from input. */
export const tokenClaims = z.object({
  sub: id,
  tid: tenantId,
  role: z.enum(userRoles),
});
export type TokenClaims = z.infer<typeof tokenClaims>;
