/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The API's tRPC endpoint when it is not the panel's own origin, e.g. https://agents.internal.example/trpc. */
  readonly VITE_API_URL?: string;
}
