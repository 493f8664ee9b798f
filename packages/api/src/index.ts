import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";

import type { AppRouter } from "./root";

export { appRouter, type AppRouter } from "./root";
export {
  createCallerFactory,
  createContext,
  type ApiDeps,
  type ApiErrorShape,
  type Context,
  type FieldErrors,
  type Logger,
} from "./trpc";
export { createFetchHandler, trpcEndpoint, type HttpOptions } from "./http";
export {
  createTokenVerifier,
  devJwtSecret,
  mintToken,
  InvalidTokenError,
  type Caller,
  type TokenVerifier,
  type TokenVerifierOptions,
} from "./auth";

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
