import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";

import {
  createCrewInput,
  crewDetailSchema,
  crewIdInput,
  crewPageSchema,
  crewSchema,
  listCrewsInput,
  updateCrewInput,
} from "@agent-builder/contracts";

import { tenantProcedure } from "../trpc";
import * as crews from "./service";

// Any caller of the tenant, as for agents (agents/router.ts: tenantProcedure throughout).
export const crewRouter = {
  create: tenantProcedure
    .input(createCrewInput)
    .output(crewSchema)
    .mutation(({ ctx, input }) => crews.createCrew(ctx.tx, ctx.caller, input)),

  /** The crew with its members and their tools, its manager, its tasks and its usage, in one statement. */
  get: tenantProcedure
    .input(crewIdInput)
    .output(crewDetailSchema)
    .query(({ ctx, input }) => crews.getCrewDetail(ctx.tx, ctx.caller, input.id)),

  list: tenantProcedure
    .input(listCrewsInput)
    .output(crewPageSchema)
    .query(({ ctx, input }) => crews.listCrews(ctx.tx, ctx.caller, input)),

  /** A patch with `expectedVersion`; `memberAgentIds` replaces the ordered members in the same transaction. */
  update: tenantProcedure
    .input(updateCrewInput)
    .output(crewSchema)
    .mutation(({ ctx, input }) => crews.updateCrew(ctx.tx, ctx.caller, input)),

  /** With its members, tasks, crew runs and usage; its agents stay. */
  delete: tenantProcedure
    .input(crewIdInput)
    .output(z.object({ id: z.uuid() }))
    .mutation(({ ctx, input }) => crews.deleteCrew(ctx.tx, ctx.caller, input.id)),
} satisfies TRPCRouterRecord;
