import type { TRPCRouterRecord } from "@trpc/server";

import { listSpacesInput, space, spacePage, upsertSpaceInput, upsertUserInput, user } from "@agent-builder/contracts";

import { serviceProcedure, tenantProcedure } from "../trpc";
import * as directory from "./service";

/** The platform's identity, mirrored locally. Writes need a service or admin token. */
export const directoryRouter = {
  upsertUser: serviceProcedure
    .input(upsertUserInput)
    .output(user)
    .mutation(({ ctx, input }) => directory.upsertUser(ctx.tx, ctx.caller, input)),

  upsertSpace: serviceProcedure
    .input(upsertSpaceInput)
    .output(space)
    .mutation(({ ctx, input }) => directory.upsertSpace(ctx.tx, ctx.caller, input)),

  listSpaces: tenantProcedure
    .input(listSpacesInput)
    .output(spacePage)
    .query(({ ctx, input }) => directory.listSpaces(ctx.tx, ctx.caller, input)),
} satisfies TRPCRouterRecord;
