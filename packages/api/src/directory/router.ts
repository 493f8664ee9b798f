import type { TRPCRouterRecord } from "@trpc/server";

import { listSpacesInput, spacePageSchema, spaceSchema, upsertSpaceInput, upsertUserInput, userSchema } from "@agent-builder/contracts";

import { serviceProcedure, tenantProcedure } from "../trpc";
import * as directory from "./service";

/** The platform's identity, mirrored locally. Writes need a service or admin token. */
export const directoryRouter = {
  upsertUser: serviceProcedure
    .input(upsertUserInput)
    .output(userSchema)
    .mutation(({ ctx, input }) => directory.upsertUser(ctx.tx, ctx.caller, input)),

  upsertSpace: serviceProcedure
    .input(upsertSpaceInput)
    .output(spaceSchema)
    .mutation(({ ctx, input }) => directory.upsertSpace(ctx.tx, ctx.caller, input)),

  listSpaces: tenantProcedure
    .input(listSpacesInput)
    .output(spacePageSchema)
    .query(({ ctx, input }) => directory.listSpaces(ctx.tx, ctx.caller, input)),
} satisfies TRPCRouterRecord;
