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
} from "./trpc";
export { apiErrorBody, createFetchHandler, trpcEndpoint, type HttpOptions } from "./http";
export {
  logRequest,
  requestIdHeader,
  type LogFields,
  type Logger,
  type LogLevel,
  type RequestLine,
  type RequestRecord,
} from "./logging";
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
