import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";

import type { AppRouter } from "./root";

export {
  openAgentCredential,
  type ResealBatch,
  resealAgentCredentials,
  type StoredAgentCredential,
  sealAgentCredential,
} from "./agents/credential";
export {
  type Caller,
  createTokenVerifier,
  devJwtSecret,
  InvalidTokenError,
  mintToken,
  type TokenVerifier,
  type TokenVerifierOptions,
} from "./auth";
export { apiErrorBody, createFetchHandler, type HttpOptions, trpcEndpoint } from "./http";
export {
  type LogFields,
  type Logger,
  type LogLevel,
  logRequest,
  type RequestLine,
  type RequestRecord,
  requestIdHeader,
} from "./logging";
export { type AppRouter, appRouter } from "./root";
export {
  createKeyring,
  devSecretKeys,
  devSecretsKey,
  type Keyring,
  parseSecretKeys,
  type SealedSecret,
  type SecretKey,
  SecretsError,
} from "./secrets";
export { resealToolSecrets, type ToolResealBatch } from "./tools/secret-rotation";
export { sealToolSecret } from "./tools/service";
export {
  type ApiDeps,
  type ApiErrorShape,
  type Context,
  createCallerFactory,
  createContext,
  type FieldErrors,
} from "./trpc";

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
