import type { inferRouterError, inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { describe, expectTypeOf, it } from "vitest";

import type { AppRouter, appRouter } from "../src/root";

/** The client-facing AppRouter must describe exactly the procedures the server serves. */
describe("AppRouter type", () => {
  it("has the same inputs, outputs and error shape as the router itself", () => {
    expectTypeOf<inferRouterInputs<AppRouter>>().toEqualTypeOf<inferRouterInputs<typeof appRouter>>();
    expectTypeOf<inferRouterOutputs<AppRouter>>().toEqualTypeOf<inferRouterOutputs<typeof appRouter>>();
    expectTypeOf<inferRouterError<AppRouter>>().toEqualTypeOf<inferRouterError<typeof appRouter>>();
    expectTypeOf<AppRouter["_def"]["_config"]["$types"]["ctx"]>().toEqualTypeOf<object>();
  });
});
